/// Get Chassis Status (Chassis 0x01): power state and faults.
public struct ChassisStatus: Equatable, Sendable {
    public static let request = IPMIRequest(netFunction: 0x00, command: 0x01)

    public var isPowerOn: Bool
    public var powerOverload: Bool
    public var powerInterlock: Bool
    public var mainPowerFault: Bool
    public var powerControlFault: Bool
    /// 0 stays off, 1 restores the previous state, 2 always powers on, 3 unknown.
    public var restorePolicy: UInt8
    /// The raw "last power event" and "miscellaneous chassis state" bytes.
    public var lastPowerEvent: UInt8
    public var miscellaneous: UInt8

    public init(decoding data: [UInt8]) throws {
        guard data.count >= 3 else { throw IPMIDecodingError("Get Chassis Status: \(data.count) data bytes, needs 3") }
        isPowerOn = data[0] & 0x01 != 0
        powerOverload = data[0] & 0x02 != 0
        powerInterlock = data[0] & 0x04 != 0
        mainPowerFault = data[0] & 0x08 != 0
        powerControlFault = data[0] & 0x10 != 0
        restorePolicy = (data[0] >> 5) & 0x03
        lastPowerEvent = data[1]
        miscellaneous = data[2]
    }
}

/// Chassis Control (Chassis 0x02): the power actions rpower offers.
public enum ChassisControl: UInt8, Sendable, CaseIterable {
    case powerOff = 0
    case powerOn = 1
    case powerCycle = 2
    case hardReset = 3
    case diagnosticInterrupt = 4
    case softShutdown = 5

    public var request: IPMIRequest { IPMIRequest(netFunction: 0x00, command: 0x02, data: [rawValue]) }
}

/// The boot device selector of boot option parameter 5 (IPMI 2.0 table 28-14, data 2 bits 5:2).
public enum BootDevice: UInt8, Sendable, CaseIterable {
    case noOverride = 0x00
    case pxe = 0x04
    case disk = 0x08
    case biosSetup = 0x18
}

/// Set System Boot Options (Chassis 0x08) for a boot device override, the way xCAT and pyghmi write it.
public struct BootOverride: Equatable, Sendable {
    public var device: BootDevice
    /// Every boot rather than only the next one.
    public var persistent: Bool
    /// Ask the firmware for an EFI boot rather than a legacy (PC compatible) one.
    public var uefi: Bool

    public init(device: BootDevice, persistent: Bool = false, uefi: Bool = false) {
        self.device = device
        self.persistent = persistent
        self.uefi = uefi
    }

    /// Parameter 3 first: 0x08 keeps the BMC from clearing the boot-flag valid bit when no Chassis Control
    /// follows within 60 seconds (xCAT's "disables the 60 second timer"); then parameter 5, the boot flags.
    public var requests: [IPMIRequest] {
        let flags: UInt8 = 0x80 | (persistent ? 0x40 : 0) | (uefi ? 0x20 : 0)
        return [
            IPMIRequest(netFunction: 0x00, command: 0x08, data: [0x03, 0x08]),
            IPMIRequest(netFunction: 0x00, command: 0x08, data: [0x05, flags, device.rawValue, 0x00, 0x00, 0x00]),
        ]
    }
}
