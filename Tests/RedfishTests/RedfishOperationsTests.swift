import Foundation
import Power
import Testing
@testable import Redfish

@Suite("Redfish operations")
struct RedfishOperationsTests {
    func run(_ operation: PowerOperation, on transport: FixtureTransport,
             system: String? = nil) async throws -> PowerReport {
        try await RedfishOperations(transport: transport, username: "admin", configuredSystem: system,
                                    now: { 1000 }).perform(operation)
    }

    func failure(_ operation: PowerOperation, on transport: FixtureTransport,
                 system: String? = nil) async -> String? {
        do {
            _ = try await run(operation, on: transport, system: system)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("netroot boot on a system that is off: PXE once, then On")
    func networkBootOff() async throws {
        let sushy = Sushy.service(powered: false)
        let report = try await run(.networkBoot(uefi: false), on: sushy)
        #expect(sushy.requests.map(\.description) == [
            "GET /redfish/v1/Systems",
            "GET \(Sushy.system)",
            #"PATCH \#(Sushy.system) {"Boot":{"BootSourceOverrideEnabled":"Once","BootSourceOverrideTarget":"Pxe"}}"#,
            #"POST \#(Sushy.reset) {"ResetType":"On"}"#,
        ])
        #expect(report.steps == [PowerStep(time: 1000, action: .bootDevice(target: "pxe", persistent: false, uefi: false)),
                                 PowerStep(time: 1000, action: .on)])
        #expect(report.steps.map(\.step) == ["boot device pxe (next boot)", "power on"])
        #expect(report.powerIsOn == true)
    }

    @Test("netroot boot on a system that is on: PXE once, then ForceRestart where PowerCycle is not offered")
    func networkBootOn() async throws {
        let sushy = Sushy.service(powered: true)
        let report = try await run(.networkBoot(uefi: true), on: sushy, system: Sushy.system)
        #expect(sushy.requests.map(\.description) == [
            "GET \(Sushy.system)",
            #"PATCH \#(Sushy.system) {"Boot":{"BootSourceOverrideEnabled":"Once","BootSourceOverrideMode":"UEFI","#
                + #""BootSourceOverrideTarget":"Pxe"}}"#,
            #"POST \#(Sushy.reset) {"ResetType":"ForceRestart"}"#,
        ])
        #expect(report.steps.map(\.step) == ["boot device pxe (next boot, UEFI)", "power cycle"])
        #expect(report.steps.map(\.startsBoot) == [false, true])
    }

    @Test("power changes: cycle falls back to ForceRestart; on an already-on system sends nothing")
    func powerChanges() async throws {
        let on = Sushy.service(powered: true)
        let cycled = try await run(.cycle, on: on)
        #expect(on.requests.last?.description == #"POST \#(Sushy.reset) {"ResetType":"ForceRestart"}"#)
        #expect(cycled.steps.map(\.step) == ["power cycle"] && cycled.powerIsOn == true)

        let already = Sushy.service(powered: true)
        let report = try await run(.on, on: already)
        #expect(already.requests.allSatisfy { $0.method == "GET" })
        #expect(report.powerIsOn == true && report.steps.isEmpty)

        let off = Sushy.service(powered: true)
        let offReport = try await run(.off, on: off)
        #expect(off.requests.last?.description == #"POST \#(Sushy.reset) {"ResetType":"ForceOff"}"#)
        #expect(offReport.steps == [PowerStep(time: 1000, action: .off)] && offReport.powerIsOn == false)

        let reset = Sushy.service(powered: false)
        #expect(try await run(.reset, on: reset).steps.map(\.step) == ["power reset"])
        let soft = Sushy.service(powered: true)
        #expect(try await run(.soft, on: soft).steps.map(\.step) == ["soft power off"])
        #expect(soft.requests.last?.body == #"{"ResetType":"GracefulShutdown"}"#)
    }

    @Test("status reads PowerState")
    func status() async throws {
        #expect(try await run(.status, on: Sushy.service(powered: true)).powerIsOn == true)
        #expect(try await run(.status, on: Sushy.service(powered: false)).powerIsOn == false)
    }

    @Test("bootdev: persistent disk; a target the system does not offer is refused before any PATCH")
    func bootDevice() async throws {
        let sushy = Sushy.service(powered: false)
        let report = try await run(.bootDevice(.disk, persistent: true, uefi: false), on: sushy)
        #expect(sushy.requests.last?.description == "PATCH \(Sushy.system) "
            + #"{"Boot":{"BootSourceOverrideEnabled":"Continuous","BootSourceOverrideTarget":"Hdd"}}"#)
        #expect(report.steps.map(\.step) == ["boot device disk (every boot)"])

        let refusing = Sushy.service(powered: false)
        #expect(await failure(.bootDevice(.bios, persistent: false, uefi: false), on: refusing)
            == "the BMC does not offer boot target BiosSetup for \(Sushy.system) (it offers Pxe, Cd, Hdd, UefiHttp)")
        #expect(refusing.requests.allSatisfy { $0.method == "GET" })
    }

    @Test("sensors from sushy: the system's chassis, its Thermal")
    func sushySensors() async throws {
        let sushy = Sushy.service(powered: true)
        let report = try await run(.sensors, on: sushy)
        #expect(report.sensors.count == 4)
        #expect(sushy.requests.map(\.path) == ["/redfish/v1/Systems", Sushy.system, Sushy.chassis,
                                               Sushy.chassis + "/Thermal"])
    }

    @Test("sensors from a chassis without Thermal: its Sensors collection, one GET per member, Power not read")
    func sensorCollection() async throws {
        let service = FixtureTransport(get: [
            "/redfish/v1/Systems/1": "sushy-system-on.json",
            "/redfish/v1/Chassis": #"schema-chassis-collection.json"#,
            Sushy.chassis: "schema-chassis-sensors.json",
            "/redfish/v1/Chassis/1U/Sensors": "schema-sensors.json",
            "/redfish/v1/Chassis/1U/Sensors/CPU1Temp": "schema-sensor-cpu1temp.json",
            "/redfish/v1/Chassis/1U/Sensors/FanBay1": "schema-sensor-fanbay1.json",
            "/redfish/v1/Chassis/1U/Sensors/PS1InputVoltage": "schema-sensor-ps1inputvoltage.json",
            "/redfish/v1/Chassis/1U/Sensors/TotalPower": "schema-sensor-totalpower.json",
        ])
        let report = try await run(.sensors, on: service, system: "1")
        #expect(report.sensors.map(\.name) == ["CPU 1 Temperature", "Fan Bay 1 Speed",
                                               "Power Supply 1 Input Voltage", "Total Power"])
        #expect(report.sensors.map(\.kind) == ["temperature", "fan", "voltage", "power"])
        #expect(!service.requests.contains { $0.path.hasSuffix("/Power") })
    }

    @Test("inventory: root, system, chassis, manager; a manager the BMC cannot serve is left out")
    func sushyInventory() async throws {
        let sushy = Sushy.service(powered: true)
        let report = try await run(.inventory, on: sushy)
        #expect(report.inventory.first == InventoryItem("manufacturer", "Sushy Emulator"))
        #expect(report.inventory.contains(InventoryItem("chassis serial", "437XR1138R2")))
        #expect(!report.inventory.contains { $0.key == "BMC firmware" })
    }

    @Test("one line for a wrong password, several systems, an unreadable answer and a refused reset")
    func failures() async {
        let wrong = FixtureTransport(["/redfish/v1/Systems": (401, "sushy-401.json")])
        #expect(await failure(.status, on: wrong) == #"wrong username or password (user "admin")"#)

        let several = FixtureTransport(get: ["/redfish/v1/Systems": "schema-systems-three.json"])
        #expect(await failure(.status, on: several)
            == "the BMC has 3 systems (/redfish/v1/Systems/1, /redfish/v1/Systems/2, /redfish/v1/Systems/3); "
            + "say which one as bmc.system")

        let html = FixtureTransport(get: ["/redfish/v1/Systems/1": "README.md"])
        #expect(await failure(.status, on: html, system: "1")
            == "the BMC's answer to GET /redfish/v1/Systems/1 is not a Redfish ComputerSystem")

        let refusing = FixtureTransport(get: [Sushy.system: "sushy-system-on.json"],
                                        other: ["POST \(Sushy.reset)": (501, "sushy-501-powercycle.json")])
        #expect(await failure(.reset, on: refusing, system: Sushy.system)
            == "the BMC refused POST \(Sushy.reset): HTTP 501: Power state PowerCycle is not supported")

        let missing = FixtureTransport(get: [:])
        #expect(await failure(.status, on: missing, system: "/redfish/v1/Systems/9")
            == "the BMC has no /redfish/v1/Systems/9 (HTTP 404); check bmc.system")
    }
}
