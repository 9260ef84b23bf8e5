import Foundation
import Power
import Testing
@testable import Redfish

@Suite("Redfish mapping")
struct RedfishMappingTests {
    @Test("each power operation's ResetType")
    func resetTypes() throws {
        let sushy = try decode(ComputerSystem.self, "sushy-system-off.json").actions?.reset?.allowedTypes
        #expect(sushy == ["On", "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart", "Nmi", "ForceOn"])
        #expect(RedfishMapping.resetType(for: .on, allowed: sushy) == "On")
        #expect(RedfishMapping.resetType(for: .off, allowed: sushy) == "ForceOff")
        #expect(RedfishMapping.resetType(for: .reset, allowed: sushy) == "ForceRestart")
        #expect(RedfishMapping.resetType(for: .soft, allowed: sushy) == "GracefulShutdown")
        // sushy's fake driver does not list PowerCycle (and answers it 501): ForceRestart instead.
        #expect(RedfishMapping.resetType(for: .cycle, allowed: sushy) == "ForceRestart")
        #expect(RedfishMapping.resetType(for: .cycle, allowed: ["On", "ForceOff", "PowerCycle"]) == "PowerCycle")
        // A system that does not say what it allows is asked for PowerCycle.
        #expect(RedfishMapping.resetType(for: .cycle, allowed: nil) == "PowerCycle")
        #expect(RedfishMapping.resetType(for: .status, allowed: sushy) == nil)
    }

    @Test("the Boot PATCH body, byte for byte")
    func bootBodies() {
        func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }
        #expect(text(RedfishMapping.bootBody(.pxe, persistent: false, uefi: false))
            == #"{"Boot":{"BootSourceOverrideEnabled":"Once","BootSourceOverrideTarget":"Pxe"}}"#)
        #expect(text(RedfishMapping.bootBody(.disk, persistent: true, uefi: true))
            == #"{"Boot":{"BootSourceOverrideEnabled":"Continuous","BootSourceOverrideMode":"UEFI","#
            + #""BootSourceOverrideTarget":"Hdd"}}"#)
        #expect(RedfishMapping.bootTarget(.bios) == "BiosSetup")
        #expect(RedfishMapping.bootTarget(.http) == "UefiHttp")
        #expect(text(RedfishMapping.resetBody("On")) == #"{"ResetType":"On"}"#)
    }

    @Test("sushy's system: power state, reset target, boot targets, chassis link")
    func sushySystem() throws {
        let off = try decode(ComputerSystem.self, "sushy-system-off.json")
        let on = try decode(ComputerSystem.self, "sushy-system-on.json")
        #expect(RedfishMapping.powerIsOn(off.powerState) == false)
        #expect(RedfishMapping.powerIsOn(on.powerState) == true)
        #expect(RedfishMapping.powerIsOn("Sleeping") == nil)
        #expect(off.actions?.reset?.target == Sushy.reset)
        #expect(off.boot?.allowedTargets == ["Pxe", "Cd", "Hdd", "UefiHttp"])
        #expect(off.boot?.enabled == "Continuous")
        #expect(off.links?.chassis?.map(\.id) == [Sushy.chassis])
        #expect(RedfishMapping.systemPath("1") == "/redfish/v1/Systems/1")
        #expect(RedfishMapping.systemPath("/redfish/v1/Systems/Self") == "/redfish/v1/Systems/Self")
    }

    @Test("sushy's Thermal: temperatures and fans with IPMI's threshold names and units")
    func sushyThermal() throws {
        let values = RedfishSensors.values(try decode(Thermal.self, "sushy-thermal.json"))
        #expect(values.map(\.name) == ["CPU Temp", "Chassis Intake Temp", "BaseBoard System Fan",
                                       "BaseBoard System Fan Backup"])
        #expect(values[0] == SensorValue(name: "CPU Temp", kind: "temperature", value: 41, unit: "degrees C",
                                         status: "ok", thresholds: ["upper non-critical": 42, "upper critical": 45,
                                                                    "upper non-recoverable": 48]))
        #expect(values[1].thresholds["lower critical"] == 5)
        #expect(values[2] == SensorValue(name: "BaseBoard System Fan", kind: "fan", value: 2100, unit: "RPM",
                                         status: "ok", thresholds: ["lower non-recoverable": 0]))
        #expect(ResultText.sensorLine(values[0])
            == "CPU Temp: 41 degrees C (ok, upper non-critical 42, upper critical 45, upper non-recoverable 48)")
    }

    @Test("Power resource: consumption and voltages; a voltage past its critical threshold says so")
    func powerResource() throws {
        let values = RedfishSensors.values(try decode(PowerResource.self, "schema-power.json"))
        #expect(values.map(\.name) == ["System Input Power", "VRM1 Voltage"])
        #expect(values[0].value == 344 && values[0].unit == "Watts" && values[0].kind == "power")
        #expect(values[1].value == 13.2 && values[1].unit == "Volts")
        #expect(values[1].status == "upper critical")
        #expect(values[1].thresholds == ["upper non-critical": 12.5, "upper critical": 13,
                                         "upper non-recoverable": 15, "lower non-critical": 11.5,
                                         "lower critical": 11])
    }

    @Test("Sensor resources: units, kinds, thresholds; an absent sensor has no reading")
    func sensors() throws {
        let cpu = RedfishSensors.value(try decode(Sensor.self, "schema-sensor-cpu1temp.json"))
        #expect(cpu == SensorValue(name: "CPU 1 Temperature", kind: "temperature", value: 43.5, unit: "degrees C",
                                   status: "upper non-critical",
                                   thresholds: ["upper non-critical": 42, "upper critical": 45,
                                                "upper non-recoverable": 50]))
        let fan = RedfishSensors.value(try decode(Sensor.self, "schema-sensor-fanbay1.json"))
        #expect(fan.kind == "fan" && fan.unit == "RPM" && fan.status == "ok")
        let absent = RedfishSensors.value(try decode(Sensor.self, "schema-sensor-ps1inputvoltage.json"))
        #expect(absent.value == nil && absent.status == "no reading" && absent.kind == "voltage")
        // Health that is not OK, with no threshold crossed, is still said.
        #expect(RedfishSensors.status(10, thresholds: [:], health: "Critical") == "critical")
    }

    @Test("inventory from sushy's system and chassis, keyed as the IPMI driver keys GUID")
    func sushyInventory() throws {
        let items = RedfishInventory.items(root: ServiceRoot(redfishVersion: "1.5.0"),
                                           system: try decode(ComputerSystem.self, "sushy-system-on.json"),
                                           chassis: try decode(Chassis.self, "sushy-chassis.json"),
                                           manager: Manager(firmwareVersion: "1.0.0"))
        #expect(items == [
            InventoryItem("manufacturer", "Sushy Emulator"),
            InventoryItem("GUID", "27946b59-9e44-4fa7-8e91-f3527a1ef094"),
            InventoryItem("chassis manufacturer", "Contoso"),
            InventoryItem("chassis model", "3500RX"),
            InventoryItem("chassis serial", "437XR1138R2"),
            InventoryItem("chassis part number", "224071-J23"),
            InventoryItem("chassis SKU", "8675309"),
            InventoryItem("asset tag", "Chicago-45Z-2381"),
            InventoryItem("BMC firmware", "1.0.0"),
            InventoryItem("Redfish version", "1.5.0"),
        ])
    }

    @Test("error lines: 401 names the user and nothing else; other statuses carry the service's message")
    func failures() {
        #expect(RedfishFailureText.http(status: 401, body: fixture("sushy-401.json"), what: "GET /redfish/v1/Systems",
                                        username: "admin").description
            == #"wrong username or password (user "admin")"#)
        #expect(RedfishFailureText.http(status: 501, body: fixture("sushy-501-powercycle.json"),
                                        what: "POST \(Sushy.reset)", username: "admin").description
            == "the BMC refused POST \(Sushy.reset): HTTP 501: Power state PowerCycle is not supported")
        #expect(RedfishFailureText.untrusted("the BMC at 10.0.0.1 port 443", reason: .verifyFailed, tlsCA: nil)
            .description == "the certificate of the BMC at 10.0.0.1 port 443 is not trusted (certificate verify "
            + "failed); give the CA that signed it as bmc.tls_ca, or set bmc.insecure: true to skip the check")
        #expect(RedfishFailureText.untrusted("the BMC at 10.0.0.1 port 443", reason: .verifyFailed, tlsCA: "/ca.pem")
            .description.hasSuffix("it is not signed by bmc.tls_ca /ca.pem"))
    }
}
