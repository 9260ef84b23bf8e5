import Foundation
import Power

/// The requests of each operation over a transport, in order, and what their answers mean for the report.
struct RedfishOperations: Sendable {
    let transport: any RedfishTransport
    /// For the wrong-password line.
    let username: String
    /// bmc.system, when the node's BMC serves several systems or discovery should be skipped.
    let configuredSystem: String?
    /// Wall clock for the timeline steps.
    var now: @Sendable () -> Double = { Date().timeIntervalSince1970 }

    /// Sensors collections beyond this many members are cut (one GET each when the BMC does not expand them).
    static let sensorLimit = 128
    /// Chassis read for sensors; a blade system lists its blade, enclosure and a few more.
    static let chassisLimit = 8

    /// A failure after a change the BMC accepted keeps that change (`PowerFailureAfterSteps`).
    func perform(_ operation: PowerOperation) async throws -> PowerReport {
        var report = PowerReport()
        do {
            try await perform(operation, into: &report)
        } catch {
            throw PowerFailureAfterSteps.wrapping(error, after: report.steps)
        }
        return report
    }

    private func perform(_ operation: PowerOperation, into report: inout PowerReport) async throws {
        let path = try await systemPath()
        let system = try await get(path, as: ComputerSystem.self, kind: "ComputerSystem")
        switch operation {
        case .status:
            report.powerIsOn = RedfishMapping.powerIsOn(system.powerState)
        case .on, .off, .cycle, .reset, .soft:
            try await powerChange(operation, system: system, path: path, into: &report)
        case .bootDevice(let target, let persistent, let uefi):
            try await setBoot(target, persistent: persistent, uefi: uefi, system: system, path: path, into: &report)
        case .networkBoot(let uefi):
            // MAAS: the next boot from the network, then power on, or cycle a system that is already on.
            try await setBoot(.pxe, persistent: false, uefi: uefi, system: system, path: path, into: &report)
            let isOn = RedfishMapping.powerIsOn(system.powerState) == true
            let allowed = system.actions?.reset?.allowedTypes
            try await reset(isOn ? RedfishMapping.cycleResetType(allowed: allowed) : "On", operation: .cycle,
                            system: system, path: path, into: &report)
            report.powerIsOn = true
        case .sensors:
            report.sensors = try await sensors(system)
        case .inventory:
            report.inventory = try await inventory(system)
        }
    }

    // MARK: power and boot

    private func powerChange(_ operation: PowerOperation, system: ComputerSystem, path: String,
                             into report: inout PowerReport) async throws {
        let isOn = RedfishMapping.powerIsOn(system.powerState)
        // Nothing to change: some BMCs answer 409 to On for a system that is on; nothing goes in the timeline.
        if (operation == .on && isOn == true) || ((operation == .off || operation == .soft) && isOn == false) {
            report.powerIsOn = isOn
            return
        }
        let allowed = system.actions?.reset?.allowedTypes
        guard let resetType = RedfishMapping.resetType(for: operation, allowed: allowed) else { return }
        try await reset(resetType, operation: operation, system: system, path: path, into: &report)
        report.powerIsOn = switch operation {
        case .off: false
        case .soft: nil
        default: true
        }
    }

    private func reset(_ resetType: String, operation: PowerOperation, system: ComputerSystem, path: String,
                       into report: inout PowerReport) async throws {
        if let allowed = system.actions?.reset?.allowedTypes, !allowed.isEmpty, !allowed.contains(resetType) {
            throw PowerFailure("the BMC does not offer ResetType \(resetType) for \(path) "
                               + "(it offers \(allowed.joined(separator: ", ")))")
        }
        let target = system.actions?.reset?.target ?? path + "/Actions/ComputerSystem.Reset"
        try await send(.post, target, body: RedfishMapping.resetBody(resetType))
        report.steps.append(PowerStep(time: now(), action: RedfishMapping.action(forResetType: resetType,
                                                                                operation: operation)))
    }

    private func setBoot(_ target: BootTarget, persistent: Bool, uefi: Bool, system: ComputerSystem, path: String,
                         into report: inout PowerReport) async throws {
        let wanted = RedfishMapping.bootTarget(target)
        if let allowed = system.boot?.allowedTargets, !allowed.isEmpty, !allowed.contains(wanted) {
            throw PowerFailure("the BMC does not offer boot target \(wanted) for \(path) "
                               + "(it offers \(allowed.joined(separator: ", ")))")
        }
        try await send(.patch, path, body: RedfishMapping.bootBody(target, persistent: persistent, uefi: uefi))
        report.steps.append(PowerStep(time: now(), action: target.action(persistent: persistent, uefi: uefi)))
    }

    // MARK: sensors and inventory

    private func sensors(_ system: ComputerSystem) async throws -> [SensorValue] {
        var values: [SensorValue] = []
        for link in try await chassisLinks(system).prefix(Self.chassisLimit) {
            guard let chassis = try await optional(link.id, as: Chassis.self, kind: "Chassis") else { continue }
            // Thermal and Power where the BMC has them; the newer Sensors collection (which covers both) only
            // when Thermal is absent, so no reading is listed twice.
            let useSensors = chassis.thermal == nil && chassis.sensors != nil
            if let thermal = chassis.thermal,
               let resource = try await optional(thermal.id, as: Thermal.self, kind: "Thermal resource") {
                values += RedfishSensors.values(resource)
            }
            if !useSensors, let power = chassis.power,
               let resource = try await optional(power.id, as: PowerResource.self, kind: "Power resource") {
                values += RedfishSensors.values(resource)
            }
            if useSensors, let sensors = chassis.sensors {
                values += try await sensorCollection(sensors.id)
            }
        }
        return values
    }

    /// A Sensors collection: members with readings when the BMC expands them, else one GET per member.
    private func sensorCollection(_ path: String) async throws -> [SensorValue] {
        guard let collection = try await optional(path, as: SensorCollection.self, kind: "Sensor collection")
        else { return [] }
        var values: [SensorValue] = []
        for member in (collection.members ?? []).prefix(Self.sensorLimit) {
            if member.sensor.reading != nil || member.sensor.name != nil {
                values.append(RedfishSensors.value(member.sensor))
            } else if let id = member.id,
                      let sensor = try await optional(id, as: Sensor.self, kind: "Sensor") {
                values.append(RedfishSensors.value(sensor))
            }
        }
        return values
    }

    private func inventory(_ system: ComputerSystem) async throws -> [InventoryItem] {
        let root = try await optional("/redfish/v1/", as: ServiceRoot.self, kind: "service root")
        var chassis: Chassis?
        if let first = try await chassisLinks(system).first {
            chassis = try await optional(first.id, as: Chassis.self, kind: "Chassis")
        }
        var manager: Manager?
        if let first = system.links?.managedBy?.first {
            manager = try await optional(first.id, as: Manager.self, kind: "Manager")
        }
        return RedfishInventory.items(root: root, system: system, chassis: chassis, manager: manager)
    }

    /// The system's own chassis when it links them; else every chassis the service lists.
    private func chassisLinks(_ system: ComputerSystem) async throws -> [ODataLink] {
        if let linked = system.links?.chassis, !linked.isEmpty { return linked }
        return try await optional("/redfish/v1/Chassis", as: ResourceCollection.self,
                                  kind: "Chassis collection")?.members ?? []
    }

    // MARK: exchanges

    /// bmc.system, else the one system the service lists.
    func systemPath() async throws -> String {
        if let configuredSystem { return RedfishMapping.systemPath(configuredSystem) }
        let systems = try await get("/redfish/v1/Systems", as: ResourceCollection.self, kind: "system collection")
        let members = systems.members ?? []
        switch members.count {
        case 0: throw PowerFailure("the BMC lists no systems at /redfish/v1/Systems")
        case 1: return members[0].id
        default:
            let shown = members.prefix(4).map(\.id).joined(separator: ", ") + (members.count > 4 ? ", …" : "")
            throw PowerFailure("the BMC has \(members.count) systems (\(shown)); say which one as bmc.system")
        }
    }

    func get<Resource: Decodable>(_ path: String, as type: Resource.Type, kind: String) async throws -> Resource {
        let response = try await checked(.get, path, body: nil)
        guard let resource = try? JSONDecoder().decode(type, from: response.body) else {
            throw RedfishFailureText.unreadable("GET \(path)", as: kind)
        }
        return resource
    }

    /// A resource that is nice to have: nil when the BMC answers with an error status (other than a wrong
    /// password) or something unreadable; the exchange's own failures (time limit, refused) still end the operation.
    func optional<Resource: Decodable>(_ path: String, as type: Resource.Type, kind: String) async throws
        -> Resource? {
        let response = try await exchange(.get, path, body: nil)
        if response.status == 401 {
            throw RedfishFailureText.http(status: 401, body: response.body, what: "GET \(path)", username: username)
        }
        guard response.status < 400 else { return nil }
        return try? JSONDecoder().decode(type, from: response.body)
    }

    func send(_ method: RedfishMethod, _ path: String, body: Data) async throws {
        _ = try await checked(method, path, body: body)
    }

    private func checked(_ method: RedfishMethod, _ path: String, body: Data?) async throws -> RedfishResponse {
        let response = try await exchange(method, path, body: body)
        guard response.status < 400 else {
            throw RedfishFailureText.http(status: response.status, body: response.body,
                                          what: "\(method.rawValue) \(path)", username: username)
        }
        return response
    }

    /// Every request goes through here: a path the BMC handed out (`@odata.id`, an action's `target`) or
    /// bmc.system is sent only when it is a path on the BMC itself (`RedfishLink`), never to a host it names.
    private func exchange(_ method: RedfishMethod, _ path: String, body: Data?) async throws -> RedfishResponse {
        try await transport.send(method, RedfishLink.checked(path, for: method), body: body)
    }
}

/// A Sensors collection whose members may come expanded (`$expand`, or BMCs that always do).
struct SensorCollection: Decodable {
    var members: [Member]?

    enum CodingKeys: String, CodingKey { case members = "Members" }

    struct Member: Decodable {
        var id: String?
        var sensor: Sensor

        enum CodingKeys: String, CodingKey { case id = "@odata.id" }

        init(from decoder: any Decoder) throws {
            id = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .id)
            sensor = try Sensor(from: decoder)
        }
    }
}
