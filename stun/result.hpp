// Result<T>: what every parse function in hallpass returns — a value, or a ParseError
// that names the place and the reason (STYLE.md §4). No exceptions on the packet path.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hallpass {

// Both fields point at string literals, so a ParseError costs nothing to make.
struct ParseError {
    std::string_view place;   // e.g. "header", "XOR-PEER-ADDRESS"
    std::string_view reason;  // e.g. "length is not a multiple of 4"

    std::string to_string() const { return std::string(place) + ": " + std::string(reason); }
};

template <class T>
class Result {
public:
    Result(T value) : v_(std::move(value)) {}
    Result(ParseError error) : v_(error) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    const T& value() const& { return std::get<0>(v_); }
    T& value() & { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    const T& operator*() const& { return value(); }
    const T* operator->() const { return &value(); }
    const ParseError& error() const { return std::get<1>(v_); }

private:
    std::variant<T, ParseError> v_;
};

}  // namespace hallpass
