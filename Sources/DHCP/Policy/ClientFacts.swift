/// What a request says about the software sending it; firmware quirks are named here with why.
public struct ClientFacts: Sendable, Equatable {
    /// Option 60 starts with `PXEClient`: the NIC's PXE ROM or UEFI PXE (RFC 4578, PXE 2.1).
    public var isPXEFirmware: Bool
    /// Option 93's first architecture, if sent.
    public var architecture: UInt16?
    /// iPXE itself (a NIC's iPXE ROM, or iPXE chain-loaded): option 77 is the plain string `iPXE`, or iPXE's
    /// own option 175 is present (FIRMWARE-FACTS). It can fetch a script and kernels over HTTP.
    public var isIPXE: Bool
    /// UEFI HTTP boot (option 60 `HTTPClient…`): it wants an `http://` bootfile and `HTTPClient` echoed.
    public var isHTTPBootClient: Bool

    public init(_ request: DHCPMessage) {
        let vendorClass = request.options.vendorClassIdentifier
        isPXEFirmware = vendorClass?.hasPrefix("PXEClient") ?? false
        isHTTPBootClient = vendorClass?.hasPrefix("HTTPClient") ?? false
        architecture = request.options.clientArchitectures.first
        let userClass = request.options.userClass ?? []
        // The plain string iPXE sends, or the RFC 3004 form (a length byte first) some builds use.
        isIPXE = userClass == Array("iPXE".utf8) || userClass == [4] + Array("iPXE".utf8)
            || request.options[ClientFacts.ipxeEncapsulatedOption] != nil
    }

    /// iPXE's encapsulated option space (175), sent in every iPXE request.
    public static let ipxeEncapsulatedOption: UInt8 = 175

    /// Architecture types of RFC 4578 §2.1 netroot has bootfiles for.
    public enum Firmware: Sendable, Equatable {
        case bios
        /// x86-64 UEFI.
        case uefi
        /// ARM64 UEFI: only `boot: grub` (the arm64 shim and GRUB) has a loader for it.
        case arm64
    }

    /// 0 is BIOS; 7 and 9 are x86-64 UEFI (9 is what some firmware sends for EFI BC, per the RFC errata); 16 is
    /// x86-64 UEFI HTTP boot; 11 is ARM64 UEFI, 19 its HTTP boot (IANA's processor architecture types).
    public static func firmware(forArchitecture architecture: UInt16) -> Firmware? {
        switch architecture {
        case 0: .bios
        case 7, 9, 16: .uefi
        case 11, 19: .arm64
        default: nil
        }
    }
}
