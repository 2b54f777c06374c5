// The UDP sockets other programs on this host have bound, with the program that holds
// each where /proc lets us see it (all of them as root). hallpass's own sockets (a running
// server's relay ports) are left out: they are not a clash.
#pragma once

#include <vector>

#include "alloc/relay_port_clash.hpp"

namespace hallpass::relay {

std::vector<alloc::BoundUdpSocket> bound_udp_sockets_of_other_programs();

}  // namespace hallpass::relay
