@testable import Bridge
@testable import Inventory
import Testing

@Suite("Bridge plans")
struct BridgePlannerTests {
    let settings = BridgeSettings(name: "br0", uplink: "eth0", forwardDelay: 0, stp: false)
    let uplinkMAC = MACAddress("52:54:00:aa:bb:cc")!

    /// A host as found: eth0 with a primary and a labelled secondary address, a default route and a static one,
    /// plus the kernel's own prefix and local routes (which must not be moved by hand).
    var host: NetworkState {
        NetworkState(
            links: [LinkInfo(name: "lo"), LinkInfo(name: "eth0", mac: uplinkMAC)],
            addresses: [
                AddressInfo(link: "eth0", address: IPv4Address("10.0.0.2")!, prefixLength: 24,
                            broadcast: IPv4Address("10.0.0.255")!, label: "eth0"),
                AddressInfo(link: "eth0", address: IPv4Address("10.0.0.3")!, prefixLength: 24, label: "eth0:nfs",
                            flags: 0x01),
            ],
            routes: [
                RouteInfo(link: "eth0", destination: IPv4Address(0), prefixLength: 0,
                          gateway: IPv4Address("10.0.0.1")!, metric: 100, routingProtocol: 16),
                RouteInfo(link: "eth0", destination: IPv4Address("10.0.0.0")!, prefixLength: 24,
                          source: IPv4Address("10.0.0.2")!, scope: 253, routingProtocol: RouteInfo.kernelProtocol),
                RouteInfo(link: "eth0", destination: IPv4Address("10.0.0.2")!, prefixLength: 32,
                          table: RouteInfo.localTable, routingProtocol: RouteInfo.kernelProtocol, type: 2),
                RouteInfo(link: "eth0", destination: IPv4Address("10.9.0.0")!, prefixLength: 16, scope: 253,
                          routingProtocol: 3),
            ])
    }

    @Test("up: create, take the uplink's MAC, then routes out, addresses out, enslave, addresses in, routes in")
    func upPlan() throws {
        let plan = try BridgePlanner.up(settings, state: host).get()
        #expect(plan.steps.map(\.command) == [
            "ip link add br0 type bridge forward_delay 0 stp_state 0",
            "ip link set dev br0 address 52:54:00:aa:bb:cc",
            "ip link set dev br0 up",
            "ip route del default via 10.0.0.1 dev eth0 metric 100 proto dhcp",
            "ip route del 10.9.0.0/16 dev eth0 scope link",
            "ip addr del 10.0.0.3/24 dev eth0",
            "ip addr del 10.0.0.2/24 dev eth0",
            "ip link set dev eth0 master br0",
            "ip addr add 10.0.0.2/24 brd 10.0.0.255 dev br0",
            "ip addr add 10.0.0.3/24 dev br0 label br0:nfs",
            "ip route add 10.9.0.0/16 dev br0 scope link",
            "ip route add default via 10.0.0.1 dev br0 metric 100 proto dhcp",
        ])
        #expect(plan.record?.created == true)
        #expect(plan.record?.movedAddresses.count == 2)
    }

    @Test("up is idempotent: a host already bridged as nodes.yaml says needs no step")
    func upTwice() throws {
        var bridged = NetworkState(links: [LinkInfo(name: "eth0", mac: uplinkMAC, master: "br0"),
                                           LinkInfo(name: "br0", mac: uplinkMAC, kind: "bridge", forwardDelay: 0,
                                                    stp: false)])
        bridged.addresses = host.addresses.map { var moved = $0; moved.link = "br0"; return moved }
        #expect(try BridgePlanner.up(settings, state: bridged).get().steps.isEmpty)
        bridged.links[1].forwardDelay = 15
        #expect(try BridgePlanner.up(settings, state: bridged).get().steps.map(\.command) == [
            "ip link set dev br0 type bridge forward_delay 0 stp_state 0",
        ])
    }

    @Test("refusals name the interface")
    func refusals() {
        var state = host
        state.links.append(LinkInfo(name: "br0", kind: "veth"))
        #expect(throws: BridgeRefusal(description: "br0 exists and is not a bridge (veth)")) {
            try BridgePlanner.up(settings, state: state).get()
        }
        state = host
        state.links[1].master = "docker0"
        #expect(throws: BridgeRefusal(description: "uplink eth0 is already a port of docker0")) {
            try BridgePlanner.up(settings, state: state).get()
        }
        #expect(throws: BridgeRefusal(description: "uplink eth0 does not exist")) {
            try BridgePlanner.up(settings, state: NetworkState(links: [LinkInfo(name: "lo")])).get()
        }
    }

    // Each step's inverse is checked against the network state it must restore in StepInverseTests.

    @Test("a failing step rolls back the steps before it, newest first, and not the failed one")
    func rollbackOrder() {
        final class Recorder: NetworkChanger {
            var performed: [String] = []
            let failing: String
            init(failing: String) { self.failing = failing }
            func apply(_ step: BridgeStep) throws {
                if step.command == failing { throw BridgeRefusal(description: "injected") }
                performed.append(step.command)
            }
        }
        let steps: [BridgeStep] = [.createBridge(name: "br0", forwardDelay: 0, stp: false), .setUp(link: "br0"),
                                   .enslave(port: "eth0", bridge: "br0")]
        let recorder = Recorder(failing: "ip link set dev eth0 master br0")
        let outcome = BridgeApplier.apply(steps, with: recorder)
        #expect(!outcome.succeeded)
        #expect(recorder.performed == ["ip link add br0 type bridge forward_delay 0 stp_state 0",
                                       "ip link set dev br0 up", "ip link set dev br0 down", "ip link del dev br0"])
    }
}
