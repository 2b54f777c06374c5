// StreamWriteBatch: the stream connections that queued bytes while the worker handled a
// batch of datagrams, written once that batch is done. A media server sends a video frame
// as a burst of packets; the packets of one burst for one student then leave as one TLS
// record and one write instead of one each, and every write on loopback or a LAN also pays
// for the receiver's side of TCP (bench/RESULTS.md, "classroom over TLS").
//
// The UDP engines mark their batches (hold() and release() around a pass over io_uring's
// completion queue or a recvmmsg): media for stream clients, which always comes from a
// peer's datagram, is written at release() and allocates nothing (the lists keep their
// capacity). Answers to a client's own requests are written by one handler posted to run
// after those already ready: one post per batch whatever the number of connections.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <vector>

namespace hallpass::relay {

template <class Connection>
class StreamWriteBatch {
public:
    // The io_context's own executor, not a type-erased one: a post through any_io_executor
    // wraps the handler in a function object that Asio allocates afresh each time.
    explicit StreamWriteBatch(boost::asio::io_context::executor_type executor) : executor_(std::move(executor)) {}

    // `c` has bytes queued; it is written once the handler now running returns. A connection
    // is added at most once per batch (it keeps track of that itself).
    void add(std::shared_ptr<Connection> c) {
        if (!held_ && !posted_) {
            posted_ = true;
            boost::asio::post(executor_, [this] {
                posted_ = false;
                write_all();
            });
        }
        waiting_.push_back(std::move(c));
    }

    void hold() { held_ = true; }
    void release() {
        held_ = false;
        write_all();
    }

private:
    void write_all() {
        writing_.swap(waiting_);
        for (auto& c : writing_) c->write_queued();
        writing_.clear();
    }

    boost::asio::io_context::executor_type executor_;
    std::vector<std::shared_ptr<Connection>> waiting_;
    std::vector<std::shared_ptr<Connection>> writing_;
    bool held_ = false;
    bool posted_ = false;
};

}  // namespace hallpass::relay
