import ArgumentParser

/// The `netroot` command: a boot appliance for diskless clusters.
@main
struct Netroot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netroot",
        abstract: "Boot appliance for diskless clusters: DHCP, TFTP and pxelinux configs from one nodes.yaml.",
        discussion: """
            The inventory is read from --config, else config/nodes.yaml when run from a checkout, \
            else /etc/netroot/nodes.yaml.

            Examples:
              netroot check                      validate the inventory
              netroot nodes list                 one line per node
              netroot nodes show compute1        every effective value and where it came from
              netroot nodes add compute5 --mac 52:54:00:00:00:05 --group compute   add a node (mkdef)
              netroot nodes set compute5 bmc.address=10.1.1.5   change nodes (chdef); nodes remove: rmdef
              netroot networks detect --write    a networks: entry from server.interface (makenetworks)
              netroot power status @compute      power state through the BMCs (rpower); also on, off, cycle, bootdev,
                                                 sensors (rvitals), inventory (rinv)
              netroot boot compute1              PXE for the next boot, then power on (or cycle)
              netroot serve                      answer DHCP on server.interface
              netroot leases                     current leases
              netroot status [NODE]              how far each node's boot got, from the running server
              netroot doctor compute17           why a node did not boot
              netroot trace compute17 --out c17.pcap   a node's packets, for Wireshark
              netroot probe                      other DHCP servers on server.interface
              netroot bridge up --dry-run        the bridge plan as ip commands
              netroot image import NAME SOURCE   a container image or root tarball as a node image
            """,
        subcommands: [ServeCommand.self, CheckCommand.self, NodesCommand.self, LeasesCommand.self, StatusCommand.self,
                      DoctorCommand.self, TraceCommand.self, ProbeCommand.self, BridgeCommand.self, ImageCommand.self,
                      PXEConfigCommand.self, NetworksCommand.self, PowerCommand.self, BootCommand.self,
                      NFSHelperCommand.self]
    )
}
