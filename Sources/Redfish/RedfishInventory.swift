import Foundation
import Power

/// The System, its Chassis and its Manager as the facts `power inventory` prints (pure). `GUID` and
/// `BMC firmware` are keyed as the IPMI driver keys them, so scripts read either protocol alike.
enum RedfishInventory {
    static func items(root: ServiceRoot?, system: ComputerSystem, chassis: Chassis?,
                      manager: Manager?) -> [InventoryItem] {
        let facts: [(String, String?)] = [
            ("manufacturer", system.manufacturer),
            ("model", system.model),
            ("serial", system.serialNumber),
            ("part number", system.partNumber),
            ("SKU", system.sku),
            ("GUID", system.uuid),
            ("BIOS version", system.biosVersion),
            ("chassis manufacturer", chassis?.manufacturer),
            ("chassis model", chassis?.model),
            ("chassis serial", chassis?.serialNumber),
            ("chassis part number", chassis?.partNumber),
            ("chassis SKU", chassis?.sku),
            ("asset tag", chassis?.assetTag),
            ("BMC firmware", manager?.firmwareVersion),
            ("Redfish version", root?.redfishVersion),
        ]
        return facts.compactMap { key, value in
            // Empty strings and placeholders are what BMCs send for facts they do not have.
            guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty,
                  !["None", "N/A", "Not Specified", "To Be Filled By O.E.M."].contains(value) else { return nil }
            return InventoryItem(key, value)
        }
    }
}
