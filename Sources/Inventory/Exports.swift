// The value types (addresses, subnets, MACs) live in Values, which depends on nothing; every user of the
// inventory sees them as before.
@_exported import Values
