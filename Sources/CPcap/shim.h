#ifndef NETROOT_CPCAP_SHIM_H
#define NETROOT_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
