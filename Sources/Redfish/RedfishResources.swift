/// The parts of Redfish resources (DMTF DSP0268 schemas) that power control, sensors and inventory read. Every
/// field is optional: BMCs leave out what they do not have, and send `null` for what they cannot read now.

/// A reference to another resource: `{"@odata.id": "/redfish/v1/Systems/1"}`.
struct ODataLink: Decodable, Equatable {
    var id: String

    enum CodingKeys: String, CodingKey { case id = "@odata.id" }
}

/// A resource collection (`/redfish/v1/Systems`, `/redfish/v1/Chassis`, a chassis's `Sensors`).
struct ResourceCollection: Decodable {
    var members: [ODataLink]?

    enum CodingKeys: String, CodingKey { case members = "Members" }
}

/// The service root (`/redfish/v1/`).
struct ServiceRoot: Decodable {
    var redfishVersion: String?
    var systems: ODataLink?
    var chassis: ODataLink?

    enum CodingKeys: String, CodingKey {
        case redfishVersion = "RedfishVersion", systems = "Systems", chassis = "Chassis"
    }
}

/// A ComputerSystem: its power state, boot override, reset action and identity.
struct ComputerSystem: Decodable {
    var id: String?
    var name: String?
    var powerState: String?
    var manufacturer: String?
    var model: String?
    var serialNumber: String?
    var partNumber: String?
    var sku: String?
    var uuid: String?
    var biosVersion: String?
    var boot: BootSettings?
    var actions: SystemActions?
    var links: SystemLinks?

    enum CodingKeys: String, CodingKey {
        case id = "Id", name = "Name", powerState = "PowerState", manufacturer = "Manufacturer", model = "Model"
        case serialNumber = "SerialNumber", partNumber = "PartNumber", sku = "SKU", uuid = "UUID"
        case biosVersion = "BiosVersion", boot = "Boot", actions = "Actions", links = "Links"
    }

    struct BootSettings: Decodable {
        var enabled: String?
        var target: String?
        var mode: String?
        var allowedTargets: [String]?

        enum CodingKeys: String, CodingKey {
            case enabled = "BootSourceOverrideEnabled", target = "BootSourceOverrideTarget"
            case mode = "BootSourceOverrideMode", allowedTargets = "BootSourceOverrideTarget@Redfish.AllowableValues"
        }
    }

    struct SystemActions: Decodable {
        var reset: ResetAction?

        enum CodingKeys: String, CodingKey { case reset = "#ComputerSystem.Reset" }
    }

    struct ResetAction: Decodable {
        var target: String?
        var allowedTypes: [String]?

        enum CodingKeys: String, CodingKey {
            case target, allowedTypes = "ResetType@Redfish.AllowableValues"
        }
    }

    struct SystemLinks: Decodable {
        var chassis: [ODataLink]?
        var managedBy: [ODataLink]?

        enum CodingKeys: String, CodingKey { case chassis = "Chassis", managedBy = "ManagedBy" }
    }
}

/// A Chassis: its identity and where its readings are (Thermal and Power, or the newer Sensors collection).
struct Chassis: Decodable {
    var manufacturer: String?
    var model: String?
    var serialNumber: String?
    var partNumber: String?
    var sku: String?
    var assetTag: String?
    var thermal: ODataLink?
    var power: ODataLink?
    var sensors: ODataLink?

    enum CodingKeys: String, CodingKey {
        case manufacturer = "Manufacturer", model = "Model", serialNumber = "SerialNumber"
        case partNumber = "PartNumber", sku = "SKU", assetTag = "AssetTag", thermal = "Thermal", power = "Power"
        case sensors = "Sensors"
    }
}

/// A Manager (the BMC itself): its firmware.
struct Manager: Decodable {
    var firmwareVersion: String?

    enum CodingKeys: String, CodingKey { case firmwareVersion = "FirmwareVersion" }
}

/// `Status` of a resource or reading: `State` (Enabled, Absent, …) and `Health` (OK, Warning, Critical).
struct ResourceStatus: Decodable {
    var state: String?
    var health: String?

    enum CodingKeys: String, CodingKey { case state = "State", health = "Health" }
}

/// Threshold keys of the Thermal and Power resources' readings (`UpperThresholdCritical`, …).
struct LegacyThresholds: Decodable {
    var upperNonCritical: Double?
    var upperCritical: Double?
    var upperFatal: Double?
    var lowerNonCritical: Double?
    var lowerCritical: Double?
    var lowerFatal: Double?

    enum CodingKeys: String, CodingKey {
        case upperNonCritical = "UpperThresholdNonCritical", upperCritical = "UpperThresholdCritical"
        case upperFatal = "UpperThresholdFatal", lowerNonCritical = "LowerThresholdNonCritical"
        case lowerCritical = "LowerThresholdCritical", lowerFatal = "LowerThresholdFatal"
    }
}

/// `/redfish/v1/Chassis/<id>/Thermal` (deprecated in favour of Sensors, but what most BMCs still serve).
struct Thermal: Decodable {
    var temperatures: [Reading]?
    var fans: [Reading]?

    enum CodingKeys: String, CodingKey { case temperatures = "Temperatures", fans = "Fans" }

    /// A temperature (`ReadingCelsius`) or a fan (`Reading` in `ReadingUnits`, older fans `ReadingRPM`).
    struct Reading: Decodable {
        var name: String?
        var fanName: String?
        var readingCelsius: Double?
        var reading: Double?
        var readingRPM: Double?
        var readingUnits: String?
        var status: ResourceStatus?
        var thresholds: LegacyThresholds

        enum CodingKeys: String, CodingKey {
            case name = "Name", fanName = "FanName", readingCelsius = "ReadingCelsius", reading = "Reading"
            case readingRPM = "ReadingRPM", readingUnits = "ReadingUnits", status = "Status"
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            fanName = try container.decodeIfPresent(String.self, forKey: .fanName)
            readingCelsius = try container.decodeIfPresent(Double.self, forKey: .readingCelsius)
            reading = try container.decodeIfPresent(Double.self, forKey: .reading)
            readingRPM = try container.decodeIfPresent(Double.self, forKey: .readingRPM)
            readingUnits = try container.decodeIfPresent(String.self, forKey: .readingUnits)
            status = try container.decodeIfPresent(ResourceStatus.self, forKey: .status)
            thresholds = try LegacyThresholds(from: decoder)
        }
    }
}

/// `/redfish/v1/Chassis/<id>/Power`: consumption and voltages.
struct PowerResource: Decodable {
    var powerControl: [Control]?
    var voltages: [Voltage]?

    enum CodingKeys: String, CodingKey { case powerControl = "PowerControl", voltages = "Voltages" }

    struct Control: Decodable {
        var name: String?
        var powerConsumedWatts: Double?
        var status: ResourceStatus?

        enum CodingKeys: String, CodingKey {
            case name = "Name", powerConsumedWatts = "PowerConsumedWatts", status = "Status"
        }
    }

    struct Voltage: Decodable {
        var name: String?
        var readingVolts: Double?
        var status: ResourceStatus?
        var thresholds: LegacyThresholds

        enum CodingKeys: String, CodingKey { case name = "Name", readingVolts = "ReadingVolts", status = "Status" }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decodeIfPresent(String.self, forKey: .name)
            readingVolts = try container.decodeIfPresent(Double.self, forKey: .readingVolts)
            status = try container.decodeIfPresent(ResourceStatus.self, forKey: .status)
            thresholds = try LegacyThresholds(from: decoder)
        }
    }
}

/// One member of a chassis's `Sensors` collection (Sensor.v1): a reading with its type, units and thresholds.
struct Sensor: Decodable {
    var id: String?
    var name: String?
    var reading: Double?
    var readingType: String?
    var readingUnits: String?
    var status: ResourceStatus?
    var thresholds: [String: Threshold]?

    enum CodingKeys: String, CodingKey {
        case id = "Id", name = "Name", reading = "Reading", readingType = "ReadingType"
        case readingUnits = "ReadingUnits", status = "Status", thresholds = "Thresholds"
    }

    /// `{"Reading": 45, "Activation": "Increasing", "DwellTime": "PT5M"}`: only the reading matters here.
    struct Threshold: Decodable {
        var reading: Double?

        enum CodingKeys: String, CodingKey { case reading = "Reading" }
    }
}

/// An error body: `{"error": {"code": …, "message": …, "@Message.ExtendedInfo": [{"Message": …}]}}`.
struct ErrorBody: Decodable {
    var error: Detail?

    struct Detail: Decodable {
        var message: String?
        var extendedInfo: [Info]?

        enum CodingKeys: String, CodingKey { case message, extendedInfo = "@Message.ExtendedInfo" }
    }

    struct Info: Decodable {
        var message: String?

        enum CodingKeys: String, CodingKey { case message = "Message" }
    }
}
