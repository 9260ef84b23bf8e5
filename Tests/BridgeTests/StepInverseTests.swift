@testable import Bridge
@testable import Inventory
import Testing

/// The network as the kernel would leave it after each step, kept as a `NetworkState`: what a step's inverse
/// must give back. Strict where the kernel is (no second link of a name, no deleting what is not there), so an
/// inverse that repeats its step instead of undoing it shows up as a different state or a refusal.
final class ModelNetwork: NetworkChanger {
    struct Refused: Error, CustomStringConvertible { let description: String }

    var state: NetworkState
    /// The 1-based forward step that fails, as a kernel refusal would (rollback steps are not counted).
    var failAt: Int?
    private var forwardCalls = 0
    private var rollingBack = false

    init(_ state: NetworkState, failAt: Int? = nil) {
        self.state = state
        self.failAt = failAt
    }

    func apply(_ step: BridgeStep) throws {
        if !rollingBack {
            forwardCalls += 1
            if forwardCalls == failAt {
                rollingBack = true
                throw Refused(description: "injected failure at step \(forwardCalls)")
            }
        }
        state = try Self.applying(step, to: state)
    }

    /// `state` after `step`.
    static func applying(_ step: BridgeStep, to state: NetworkState) throws -> NetworkState {
        var state = state
        func index(_ name: String) throws -> Int {
            guard let index = state.links.firstIndex(where: { $0.name == name }) else {
                throw Refused(description: "no link \(name)")
            }
            return index
        }
        switch step {
        case let .createBridge(name, forwardDelay, stp):
            guard state.link(name) == nil else { throw Refused(description: "\(name) exists") }
            // The kernel gives a new bridge a MAC of its own; the model knows none, and leaves it down.
            state.links.append(LinkInfo(name: name, isUp: false, kind: "bridge", forwardDelay: forwardDelay, stp: stp))
        case let .configureBridge(name, forwardDelay, stp, _, _):
            let bridge = try index(name)
            state.links[bridge].forwardDelay = forwardDelay
            state.links[bridge].stp = stp
        case .deleteLink(let link):
            state.links.remove(at: try index(link.name))
            state.addresses.removeAll { $0.link == link.name }
            state.routes.removeAll { $0.link == link.name }
            for port in state.links.indices where state.links[port].master == link.name { state.links[port].master = nil }
        case let .setMAC(link, mac, _):
            state.links[try index(link)].mac = mac
        case .setUp(let link):
            state.links[try index(link)].isUp = true
        case .setDown(let link):
            state.links[try index(link)].isUp = false
        case let .enslave(port, bridge):
            _ = try index(bridge)
            let link = try index(port)
            guard state.links[link].master == nil else { throw Refused(description: "\(port) has a master") }
            state.links[link].master = bridge
        case .release(let port, _):
            let link = try index(port)
            guard state.links[link].master != nil else { throw Refused(description: "\(port) has no master") }
            state.links[link].master = nil
        case .addAddress(let address):
            _ = try index(address.link)
            guard !state.addresses.contains(where: { sameAddress($0, address) }) else {
                throw Refused(description: "\(address.address) exists on \(address.link)")
            }
            state.addresses.append(address)
        case .deleteAddress(let address):
            guard let found = state.addresses.firstIndex(where: { sameAddress($0, address) }) else {
                throw Refused(description: "no \(address.address) on \(address.link)")
            }
            state.addresses.remove(at: found)
        case .addRoute(let route):
            _ = try index(route.link)
            guard !state.routes.contains(route) else { throw Refused(description: "route exists") }
            state.routes.append(route)
        case .deleteRoute(let route):
            guard let found = state.routes.firstIndex(of: route) else { throw Refused(description: "no such route") }
            state.routes.remove(at: found)
        case .plumbContainer(let plumbing):
            _ = try index(plumbing.bridge)
            guard state.link(plumbing.hostEnd) == nil else { throw Refused(description: "\(plumbing.hostEnd) exists") }
            state.links.append(LinkInfo(name: plumbing.hostEnd, mac: plumbing.hostMAC, master: plumbing.bridge,
                                        kind: "veth"))
        case .unplumbContainer(let plumbing):
            state.links.remove(at: try index(plumbing.hostEnd))
        }
        return state
    }

    private static func sameAddress(_ a: AddressInfo, _ b: AddressInfo) -> Bool {
        a.link == b.link && a.address == b.address && a.prefixLength == b.prefixLength
    }
}

extension NetworkState {
    /// The same state in a fixed order (the kernel lists what was put back last at the end).
    var normalized: NetworkState {
        NetworkState(links: links.sorted { $0.name < $1.name },
                     addresses: addresses.sorted { "\($0)" < "\($1)" },
                     routes: routes.sorted { "\($0)" < "\($1)" })
    }
}

@Suite("Bridge step inverses, checked against the network state they restore")
struct StepInverseTests {
    let settings = BridgeSettings(name: "br0", uplink: "eth0", forwardDelay: 0, stp: false)
    let containers = [ContainerSettings(name: "nfs", address: IPv4Address("10.0.0.250")!, prefixLength: 24,
                                        gateway: IPv4Address("10.0.0.1")!, namespace: .path("/var/run/netns/nfs"),
                                        interface: "eth1")]

    var host: NetworkState { BridgePlannerTests().host }

    /// The host with a bridge br0 already there: down, its own MAC, STP on and the kernel's forward delay.
    var hostWithAdoptedBridge: NetworkState {
        var state = host
        state.links.append(LinkInfo(name: "br0", mac: MACAddress("02:00:00:00:00:99")!, isUp: false, kind: "bridge",
                                    forwardDelay: 15, stp: true))
        return state
    }

    /// Every kind of plan the planner makes, with the state it starts from.
    func plans() throws -> [(name: String, state: NetworkState, steps: [BridgeStep])] {
        let created = try BridgePlanner.up(settings, state: host, containers: containers).get()
        let adopted = try BridgePlanner.up(settings, state: hostWithAdoptedBridge, containers: containers).get()
        let bridged = try applyingAll(created.steps, to: host)
        let bridgedAdopted = try applyingAll(adopted.steps, to: hostWithAdoptedBridge)
        return [
            ("up, new bridge", host, created.steps),
            ("up, adopted bridge", hostWithAdoptedBridge, adopted.steps),
            ("down, new bridge", bridged,
             try BridgePlanner.down(settings, state: bridged, record: created.record, containers: containers).get().steps),
            ("down, adopted bridge", bridgedAdopted,
             try BridgePlanner.down(settings, state: bridgedAdopted, record: adopted.record,
                                    containers: containers).get().steps),
        ]
    }

    func applyingAll(_ steps: [BridgeStep], to state: NetworkState) throws -> NetworkState {
        try steps.reduce(state) { try ModelNetwork.applying($1, to: $0) }
    }

    /// Whether `undo`, applied after `step`, gives back exactly the state `step` found.
    func restores(_ step: BridgeStep, with undo: BridgeStep, from state: NetworkState) -> Bool {
        guard let after = try? ModelNetwork.applying(step, to: state),
              let restored = try? ModelNetwork.applying(undo, to: after) else { return false }
        return restored.normalized == state.normalized
    }

    /// A new bridge's MAC: its inverse cannot name the MAC the kernel chose, and does not need to, because
    /// undoing the bridge's creation (always earlier in the same plan) deletes it.
    func isMACOfANewBridge(_ step: BridgeStep) -> Bool {
        if case .setMAC(_, _, nil) = step { return true }
        return false
    }

    /// Deleting the bridge: its inverse makes a bridge of that name again but not its MAC, its up state or its
    /// ports (one step cannot), so it must be the last step of a plan, where a rollback never undoes it.
    func isDeletionOfTheBridge(_ step: BridgeStep) -> Bool {
        if case .deleteLink = step { return true }
        return false
    }

    @Test("every step's inverse gives back the state the step found")
    func eachInverseRestoresItsState() throws {
        var checked = 0
        for plan in try plans() {
            #expect(!plan.steps.isEmpty, "\(plan.name)")
            var state = plan.state
            for (position, step) in plan.steps.enumerated() {
                if isMACOfANewBridge(step) {
                    guard case .setMAC(let link, _, _) = step else { continue }
                    #expect(plan.steps[..<position].contains { if case .createBridge(link, _, _) = $0 { true } else { false } },
                            "\(plan.name): \(step.command) without the bridge's creation before it")
                } else if isDeletionOfTheBridge(step) {
                    #expect(position == plan.steps.count - 1, "\(plan.name): \(step.command) is not the last step")
                    #expect(step.inverse == .createBridge(name: "br0", forwardDelay: 0, stp: false))
                } else {
                    #expect(restores(step, with: step.inverse, from: state),
                            "\(plan.name): '\(step.inverse.command)' does not undo '\(step.command)'")
                    checked += 1
                }
                state = try ModelNetwork.applying(step, to: state)
            }
        }
        #expect(checked >= 30)
    }

    @Test("a step standing in for its own inverse is caught (what 'inverse.inverse == step' let through)")
    func aStepIsNotItsOwnInverse() throws {
        for plan in try plans() {
            var state = plan.state
            for step in plan.steps {
                if !isMACOfANewBridge(step) {
                    #expect(!restores(step, with: step, from: state), "\(plan.name): \(step.command)")
                }
                state = try ModelNetwork.applying(step, to: state)
            }
        }
    }

    @Test("a failure at any step rolls the network back to exactly the state it was found in")
    func rollbackFromEveryStepRestoresTheStart() throws {
        for plan in try plans() {
            for failing in 1...plan.steps.count {
                let network = ModelNetwork(plan.state, failAt: failing)
                let outcome = BridgeApplier.apply(plan.steps, with: network)
                #expect(outcome.failure?.step == plan.steps[failing - 1])
                #expect(outcome.rollbackFailures.isEmpty,
                        "\(plan.name), failing at \(failing): \(outcome.rollbackFailures.map(\.step.command))")
                #expect(network.state.normalized == plan.state.normalized, "\(plan.name), failing at \(failing)")
            }
        }
    }

    @Test("down after up gives back the host as it was")
    func downUndoesUp() throws {
        for start in [host, hostWithAdoptedBridge] {
            let up = try BridgePlanner.up(settings, state: start, containers: containers).get()
            let bridged = try applyingAll(up.steps, to: start)
            #expect(bridged.link("eth0")?.master == "br0")
            #expect(bridged.addresses(on: "br0").count == 2)
            let down = try BridgePlanner.down(settings, state: bridged, record: up.record, containers: containers).get()
            #expect(try applyingAll(down.steps, to: bridged).normalized == start.normalized)
        }
    }
}
