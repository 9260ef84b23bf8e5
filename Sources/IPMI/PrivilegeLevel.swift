/// IPMI privilege levels (the role requested in RAKP 1 and set by Set Session Privilege Level).
public enum PrivilegeLevel: UInt8, Sendable {
    case callback = 1
    case user = 2
    case `operator` = 3
    case administrator = 4
}
