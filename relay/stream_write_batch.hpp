// StreamWriteBatch: the stream connections that queued bytes while the worker handled a
// batch of datagrams, written once that batch is done. A media server sends a video frame
// as a burst of packets; the packets of one burst for one student then leave as one TLS
// record and one write instead of one each, and every write on loopback or a LAN also pays
// for the receiver's side of TCP (bench/RESULTS.md, "classroom over TLS").
//
// Where the UDP engine marks its batches (io_uring: hold() and release() around a pass over
// the completion queue) the writes happen at release(). Elsewhere (the epoll engine, a
// client's own request) one handler is posted to run after those already ready: one post
// per batch whatever the number of connections, so Asio recycles its memory, and the lists
// keep their capacity: the stream path allocates nothing per packet.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <vector>

namespace hallpass::relay {

template <class Connection>
class StreamWriteBatch {
public:
    explicit StreamWriteBatch(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

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

    boost::asio::any_io_executor executor_;
    std::vector<std::shared_ptr<Connection>> waiting_;
    std::vector<std::shared_ptr<Connection>> writing_;
    bool held_ = false;
    bool posted_ = false;
};

}  // namespace hallpass::relay
