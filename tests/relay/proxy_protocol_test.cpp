// PROXY protocol v1 and v2 headers (HAProxy's proxy-protocol.txt): the real client's
// address, read before anything else on a stream, whatever way the bytes arrive.
#include "relay/proxy_protocol.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hallpass::relay {
namespace {

using Bytes = std::vector<std::uint8_t>;
using Status = ProxyParse::Status;

Bytes bytes_of(std::string_view text) { return Bytes(text.begin(), text.end()); }

Bytes concat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

TransportAddress address(std::string_view text) { return *TransportAddress::parse(text); }

// Parses the whole header, and checks that every proper prefix of it asks for more.
ProxyParse parse_checking_prefixes(const Bytes& header) {
    for (std::size_t n = 0; n < header.size(); ++n) {
        const auto early = parse_proxy_header(std::span(header).first(n));
        EXPECT_EQ(early.status, Status::need_more) << "prefix of " << n << " bytes";
    }
    return parse_proxy_header(header);
}

void expect_invalid(const Bytes& bytes, std::string_view place, std::string_view reason) {
    const auto p = parse_proxy_header(bytes);
    ASSERT_EQ(p.status, Status::invalid) << "expected " << reason;
    EXPECT_EQ(p.error.place, place);
    EXPECT_EQ(p.error.reason, reason);
}

void expect_invalid(std::string_view text, std::string_view reason) {
    expect_invalid(bytes_of(text), "PROXY v1", reason);
}

// ---- v1 ------------------------------------------------------------------------------

TEST(ProxyV1, ParsesTcp4) {
    const Bytes header = bytes_of("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n");
    const auto p = parse_checking_prefixes(header);
    ASSERT_EQ(p.status, Status::done) << p.error.to_string();
    EXPECT_EQ(p.header.source, address("192.0.2.1:56324"));
    EXPECT_EQ(p.header.destination, address("198.51.100.2:443"));
    EXPECT_EQ(p.header.length, header.size());
}

TEST(ProxyV1, ParsesTcp6) {
    const Bytes header = bytes_of("PROXY TCP6 2001:db8::1 2001:db8::2:3 65535 0\r\n");
    const auto p = parse_checking_prefixes(header);
    ASSERT_EQ(p.status, Status::done) << p.error.to_string();
    EXPECT_EQ(p.header.source, address("[2001:db8::1]:65535"));
    EXPECT_EQ(p.header.destination, address("[2001:db8::2:3]:0"));
    EXPECT_EQ(p.header.length, header.size());
}

TEST(ProxyV1, LeavesWhatFollowsTheHeaderAlone) {
    const Bytes header = bytes_of("PROXY TCP4 10.0.0.1 10.0.0.2 1 2\r\n");
    const Bytes stun = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42};
    const auto p = parse_proxy_header(concat(header, stun));
    ASSERT_EQ(p.status, Status::done);
    EXPECT_EQ(p.header.length, header.size());
}

TEST(ProxyV1, ParsesUnknownWithoutAddresses) {
    for (std::string_view text :
         {"PROXY UNKNOWN\r\n", "PROXY UNKNOWN 1.2.3.4 whatever is here is ignored\r\n"}) {
        const auto p = parse_checking_prefixes(bytes_of(text));
        ASSERT_EQ(p.status, Status::done) << text;
        EXPECT_FALSE(p.header.source);
        EXPECT_FALSE(p.header.destination);
        EXPECT_EQ(p.header.length, text.size());
    }
}

TEST(ProxyV1, AcceptsTheLongestLines) {
    // Spec §2.1: the worst case is "PROXY UNKNOWN" with two full IPv6 addresses and ports,
    // 107 bytes with the CRLF; the same with TCP6 is 104.
    const std::string addresses = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
                                  "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
    const std::string unknown = "PROXY UNKNOWN " + addresses;
    ASSERT_EQ(unknown.size(), proxy_v1_max_size);
    const auto u = parse_checking_prefixes(bytes_of(unknown));
    ASSERT_EQ(u.status, Status::done) << u.error.to_string();
    EXPECT_EQ(u.header.length, 107u);
    EXPECT_FALSE(u.header.source);

    const std::string tcp6 = "PROXY TCP6 " + addresses;
    const auto t = parse_checking_prefixes(bytes_of(tcp6));
    ASSERT_EQ(t.status, Status::done) << t.error.to_string();
    EXPECT_EQ(t.header.length, 104u);
    EXPECT_EQ(t.header.source, address("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535"));
}

TEST(ProxyV1, RejectsNoCrlfWithin107Bytes) {
    std::string text = "PROXY UNKNOWN ";
    text.append(proxy_v1_max_size - text.size(), 'x');  // 107 bytes and no CRLF yet
    expect_invalid(text, "no CRLF within 107 bytes");
    text.pop_back();  // 106 bytes: a CR may come, but its LF would be the 108th byte
    EXPECT_EQ(parse_proxy_header(bytes_of(text)).status, Status::need_more);
    expect_invalid(text + "\r", "no CRLF within 107 bytes");
    expect_invalid(text + "\r\n", "no CRLF within 107 bytes");
    text.pop_back();  // 105 bytes + CRLF = 107: the longest line
    EXPECT_EQ(parse_proxy_header(bytes_of(text + "\r")).status, Status::need_more);
    EXPECT_EQ(parse_proxy_header(bytes_of(text + "\r\n")).status, Status::done);
}

TEST(ProxyV1, RejectsMalformedLines) {
    expect_invalid("PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", "protocol is not TCP4, TCP6 or UNKNOWN");
    expect_invalid("PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", "protocol is not TCP4, TCP6 or UNKNOWN");
    expect_invalid("PROXY UNKNOWNX\r\n", "protocol is not TCP4, TCP6 or UNKNOWN");
    expect_invalid("PROXY \r\n", "protocol is not TCP4, TCP6 or UNKNOWN");
    expect_invalid("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n",
                   "not five fields separated by single spaces");
    expect_invalid("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n",
                   "not five fields separated by single spaces");
    expect_invalid("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n",
                   "not five fields separated by single spaces");
    expect_invalid("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", "not five fields separated by single spaces");
    expect_invalid("PROXY TCP4 1.2.3.4 5.6.7.8\r\n", "not five fields separated by single spaces");
    expect_invalid("PROXY TCP4\r\n", "not five fields separated by single spaces");
}

TEST(ProxyV1, RejectsAddressesOfTheWrongFamily) {
    expect_invalid("PROXY TCP4 ::1 5.6.7.8 1 2\r\n", "source address is not valid for the protocol");
    expect_invalid("PROXY TCP6 ::1 5.6.7.8 1 2\r\n",
                   "destination address is not valid for the protocol");
    expect_invalid("PROXY TCP6 1.2.3.4 ::1 1 2\r\n", "source address is not valid for the protocol");
    expect_invalid("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", "source address is not valid for the protocol");
    expect_invalid("PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n",
                   "source address is not valid for the protocol");
    expect_invalid("PROXY TCP4 1.2.3.4 host 1 2\r\n",
                   "destination address is not valid for the protocol");
}

TEST(ProxyV1, RejectsPortsOutOfRangeOrNotPlainDecimal) {
    expect_invalid("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", "source port is not 0..65535");
    expect_invalid("PROXY TCP4 1.2.3.4 5.6.7.8 1 99999\r\n", "destination port is not 0..65535");
    expect_invalid("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", "source port is not 0..65535");
    expect_invalid("PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n", "source port is not 0..65535");
    expect_invalid("PROXY TCP4 1.2.3.4 5.6.7.8 080 2\r\n", "source port is not 0..65535");
    expect_invalid("PROXY TCP4 1.2.3.4 5.6.7.8 1 2x\r\n", "destination port is not 0..65535");
    expect_invalid("PROXY TCP4 1.2.3.4 5.6.7.8 1 1000000\r\n", "destination port is not 0..65535");
}

TEST(ProxyV1, RejectsBareLineEndsAndControlCharacters) {
    expect_invalid("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", "not printable ASCII before CRLF");
    expect_invalid("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX", "CR not followed by LF");
    expect_invalid("PROXY TCP4\t1.2.3.4", "not printable ASCII before CRLF");
    expect_invalid(concat(bytes_of("PROXY UNKNOWN "), Bytes{0x00}), "PROXY v1",
                   "not printable ASCII before CRLF");
}

TEST(ProxyV1, NeedsMoreWhileAPrefixOfTheSignature) {
    for (std::string_view text : {"P", "PR", "PROX", "PROXY", "PROXY ", "PROXY TCP4 1.2"})
        EXPECT_EQ(parse_proxy_header(bytes_of(text)).status, Status::need_more) << text;
}

// ---- v2 ------------------------------------------------------------------------------

const Bytes signature = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

Bytes v2(std::uint8_t version_command, std::uint8_t family_transport, const Bytes& block) {
    Bytes b = signature;
    b.push_back(version_command);
    b.push_back(family_transport);
    b.push_back(static_cast<std::uint8_t>(block.size() >> 8));
    b.push_back(static_cast<std::uint8_t>(block.size()));
    return concat(b, block);
}

const Bytes inet_block = {192, 0, 2, 1,                   // source address
                          198, 51, 100, 2,                // destination address
                          0xDC, 0x04,                     // source port 56324
                          0x01, 0xBB};                    // destination port 443

Bytes inet6_block() {
    Bytes b = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01,  // 2001:db8::1
               0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,  // 2001:db8::2
               0x30, 0x39,                                                     // 12345
               0x0D, 0x96};                                                    // 3478
    return b;
}

TEST(ProxyV2, ParsesProxyInetStream) {
    const Bytes header = v2(0x21, 0x11, inet_block);
    const auto p = parse_checking_prefixes(header);
    ASSERT_EQ(p.status, Status::done) << p.error.to_string();
    EXPECT_EQ(p.header.source, address("192.0.2.1:56324"));
    EXPECT_EQ(p.header.destination, address("198.51.100.2:443"));
    EXPECT_EQ(p.header.length, 16u + 12u);
}

TEST(ProxyV2, ParsesProxyInet6Stream) {
    const Bytes header = v2(0x21, 0x21, inet6_block());
    const auto p = parse_checking_prefixes(header);
    ASSERT_EQ(p.status, Status::done) << p.error.to_string();
    EXPECT_EQ(p.header.source, address("[2001:db8::1]:12345"));
    EXPECT_EQ(p.header.destination, address("[2001:db8::2]:3478"));
    EXPECT_EQ(p.header.length, 16u + 36u);
}

TEST(ProxyV2, SkipsTlvsInsideTheAddressBlock) {
    // PP2_TYPE_ALPN "h2", then PP2_TYPE_NOOP with 3 bytes.
    const Bytes tlvs = {0x01, 0x00, 0x02, 'h', '2', 0x04, 0x00, 0x03, 0, 0, 0};
    const Bytes header = v2(0x21, 0x11, concat(inet_block, tlvs));
    const Bytes after = {0x00, 0x01, 0x00, 0x00};
    const auto p = parse_proxy_header(concat(header, after));
    ASSERT_EQ(p.status, Status::done);
    EXPECT_EQ(p.header.length, 16u + 12u + tlvs.size());
    EXPECT_EQ(p.header.source, address("192.0.2.1:56324"));
    // The TLVs must all be there before it is done.
    EXPECT_EQ(parse_proxy_header(std::span(header).first(header.size() - 1)).status,
              Status::need_more);
}

TEST(ProxyV2, LocalHasNoAddressesWhateverTheFamily) {
    for (const std::uint8_t family : std::vector<std::uint8_t>{0x00, 0x11, 0x21, 0xFF}) {
        const Bytes header = v2(0x20, family, family == 0x21 ? inet6_block() : inet_block);
        const auto p = parse_checking_prefixes(header);
        ASSERT_EQ(p.status, Status::done) << int{family};
        EXPECT_FALSE(p.header.source);
        EXPECT_FALSE(p.header.destination);
        EXPECT_EQ(p.header.length, header.size());
    }
    const auto empty = parse_proxy_header(v2(0x20, 0x00, {}));
    ASSERT_EQ(empty.status, Status::done);
    EXPECT_EQ(empty.header.length, 16u);
}

TEST(ProxyV2, UnspecAndUnixHaveNoAddressesButAValidLength) {
    const Bytes unix_block(216, 0x2F);  // two 108-byte paths
    for (const Bytes& header : {v2(0x21, 0x00, {}), v2(0x21, 0x00, Bytes(5, 0)),
                                v2(0x21, 0x31, unix_block), v2(0x21, 0x32, unix_block)}) {
        const auto p = parse_checking_prefixes(header);
        ASSERT_EQ(p.status, Status::done) << p.error.to_string();
        EXPECT_FALSE(p.header.source);
        EXPECT_EQ(p.header.length, header.size());
    }
}

TEST(ProxyV2, RejectsOtherVersionsAndCommands) {
    // Known from byte 13 on, before the rest arrives.
    expect_invalid(concat(signature, {0x11}), "PROXY v2", "version is not 2");
    expect_invalid(concat(signature, {0x31}), "PROXY v2", "version is not 2");
    expect_invalid(concat(signature, {0x22}), "PROXY v2", "command is neither LOCAL nor PROXY");
    expect_invalid(v2(0x2F, 0x11, inet_block), "PROXY v2", "command is neither LOCAL nor PROXY");
}

TEST(ProxyV2, RejectsUnsupportedFamiliesAndTransports) {
    expect_invalid(v2(0x21, 0x41, inet_block), "PROXY v2", "unknown address family");
    expect_invalid(v2(0x21, 0x13, inet_block), "PROXY v2", "unknown transport protocol");
    expect_invalid(v2(0x21, 0x12, inet_block), "PROXY v2", "transport is not STREAM");
    expect_invalid(v2(0x21, 0x10, inet_block), "PROXY v2", "transport is not STREAM");
    expect_invalid(v2(0x21, 0x22, inet6_block()), "PROXY v2", "transport is not STREAM");
}

TEST(ProxyV2, RejectsAnAddressBlockTooShortForItsFamily) {
    // Refused from the 16-byte header, without waiting for the block.
    Bytes header = v2(0x21, 0x11, Bytes(11, 0));
    expect_invalid(Bytes(header.begin(), header.begin() + 16), "PROXY v2",
                   "address block shorter than its family needs");
    expect_invalid(v2(0x21, 0x21, Bytes(35, 0)), "PROXY v2",
                   "address block shorter than its family needs");
    expect_invalid(v2(0x21, 0x21, inet_block), "PROXY v2",
                   "address block shorter than its family needs");
}

TEST(ProxyV2, WaitsForALongAddressBlock) {
    Bytes block = inet_block;
    block.resize(65535, 0);
    const Bytes header = v2(0x21, 0x11, block);
    ASSERT_EQ(header.size(), proxy_v2_max_size);
    EXPECT_EQ(parse_proxy_header(std::span(header).first(1000)).status, Status::need_more);
    const auto p = parse_proxy_header(header);
    ASSERT_EQ(p.status, Status::done);
    EXPECT_EQ(p.header.length, proxy_v2_max_size);
}

// ---- neither -------------------------------------------------------------------------

TEST(ProxyHeader, RejectsAStreamWithNeitherSignature) {
    // A client that speaks TURN (or TLS) straight to a proxy_protocol listener.
    for (const Bytes& b : {Bytes{0x00, 0x03, 0x00, 0x00}, Bytes{0x16, 0x03, 0x01},
                           bytes_of("GET / HTTP/1.1\r\n"), bytes_of("PROXX"),
                           bytes_of("proxy TCP4"), Bytes{0x0D, 0x0A, 0x0D, 0x0B}}) {
        expect_invalid(b, "PROXY", "starts with neither the v1 nor the v2 signature");
    }
    // A difference in the last byte of the v2 signature.
    Bytes almost = signature;
    almost.back() = 0x0B;
    expect_invalid(almost, "PROXY", "starts with neither the v1 nor the v2 signature");
}

TEST(ProxyHeader, NeedsMoreOnNothingOrAPrefixOfEitherSignature) {
    EXPECT_EQ(parse_proxy_header({}).status, Status::need_more);
    for (std::size_t n = 1; n <= signature.size(); ++n)
        EXPECT_EQ(parse_proxy_header(std::span(signature).first(n)).status, Status::need_more) << n;
}

}  // namespace
}  // namespace hallpass::relay
