// The wire codec is its own module (it depends on ByteOrder and Values only); the policy re-exports it so every
// user of DHCP sees the messages and options as before.
@_exported import DHCPWire
