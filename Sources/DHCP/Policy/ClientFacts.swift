/// What a request says about the software sending it; firmware quirks are named here with why.
public struct ClientFacts: Sendable, Equatable {
    /// Option 60 starts with `PXEClient`: the NIC's PXE ROM or UEFI PXE (RFC 4578, PXE 2.1).
    public var isPXEFirmware: Bool
    /// Option 93's first architecture, if sent.
    public var architecture: UInt16?

    public init(_ request: DHCPMessage) {
        isPXEFirmware = request.options.vendorClassIdentifier?.hasPrefix("PXEClient") ?? false
        architecture = request.options.clientArchitectures.first
    }

    /// Architecture types of RFC 4578 §2.1 netroot has bootfiles for.
    public enum Firmware: Sendable, Equatable {
        case bios
        case uefi
    }

    /// 0 is BIOS; 7 and 9 are x86-64 UEFI (9 is what some firmware sends for EFI BC, per the RFC errata).
    public static func firmware(forArchitecture architecture: UInt16) -> Firmware? {
        switch architecture {
        case 0: .bios
        case 7, 9: .uefi
        default: nil
        }
    }
}
