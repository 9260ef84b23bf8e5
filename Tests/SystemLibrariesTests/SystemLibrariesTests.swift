import CNetlink
import CPcap
import Glibc
import Testing

/// Proves the Debian C libraries are found through pkg-config and link.
@Suite struct SystemLibrariesTests {
    @Test func libpcapReportsItsVersion() {
        let version = String(cString: pcap_lib_version())
        #expect(version.hasPrefix("libpcap version"))
    }

    @Test func libnlAllocatesAndFreesASocket() throws {
        let socket = try #require(nl_socket_alloc())
        // A fresh socket has no local port until connected; setting one is a pure libnl call.
        nl_socket_set_local_port(socket, 4242)
        #expect(nl_socket_get_local_port(socket) == 4242)
        nl_socket_free(socket)
    }

    @Test func libnlParsesAnAddress() throws {
        var parsed: OpaquePointer?
        #expect(nl_addr_parse("192.168.1.0/24", AF_INET, &parsed) == 0)
        let address = try #require(parsed)
        #expect(nl_addr_get_prefixlen(address) == 24)
        nl_addr_put(address)
    }

    @Test func libnlRouteAllocatesALink() throws {
        let link = try #require(rtnl_link_alloc())
        rtnl_link_set_name(link, "nrtest0")
        #expect(String(cString: rtnl_link_get_name(link)) == "nrtest0")
        rtnl_link_put(link)
    }
}
