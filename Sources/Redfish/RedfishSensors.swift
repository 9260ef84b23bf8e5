import Power

/// Thermal, Power and Sensor resources as the sensor values `power sensors` prints (pure). Names of thresholds and
/// units are the IPMI driver's (`upper critical`, `degrees C`), so both protocols read alike.
enum RedfishSensors {
    static func values(_ thermal: Thermal) -> [SensorValue] {
        let temperatures = (thermal.temperatures ?? []).map { reading in
            value(name: reading.name ?? "Temperature", kind: "temperature", reading: reading.readingCelsius,
                  unit: "degrees C", status: reading.status, thresholds: reading.thresholds.named)
        }
        let fans = (thermal.fans ?? []).map { fan in
            // Thermal 1.0 fans: FanName and ReadingRPM; later ones: Name, Reading and ReadingUnits (RPM or Percent).
            let percent = fan.readingUnits == "Percent"
            return value(name: fan.name ?? fan.fanName ?? "Fan", kind: "fan", reading: fan.reading ?? fan.readingRPM,
                         unit: percent ? "percent" : "RPM", status: fan.status, thresholds: fan.thresholds.named)
        }
        return temperatures + fans
    }

    static func values(_ power: PowerResource) -> [SensorValue] {
        let consumed = (power.powerControl ?? []).compactMap { control -> SensorValue? in
            // A PowerControl without a consumption (only limits) is no sensor.
            guard control.powerConsumedWatts != nil || control.status?.state == "Enabled" else { return nil }
            return value(name: control.name ?? "Power Consumed", kind: "power", reading: control.powerConsumedWatts,
                         unit: "Watts", status: control.status, thresholds: [:])
        }
        let voltages = (power.voltages ?? []).map { voltage in
            value(name: voltage.name ?? "Voltage", kind: "voltage", reading: voltage.readingVolts, unit: "Volts",
                  status: voltage.status, thresholds: voltage.thresholds.named)
        }
        return consumed + voltages
    }

    static func value(_ sensor: Sensor) -> SensorValue {
        let kind = Self.kind(readingType: sensor.readingType, units: sensor.readingUnits)
        // Sensor.v1 thresholds: Caution is IPMI's non-critical, Fatal its non-recoverable; the *User copies are
        // operator-set duplicates.
        let names = ["UpperCaution": "upper non-critical", "UpperCritical": "upper critical",
                     "UpperFatal": "upper non-recoverable", "LowerCaution": "lower non-critical",
                     "LowerCritical": "lower critical", "LowerFatal": "lower non-recoverable"]
        var thresholds: [String: Double] = [:]
        for (key, threshold) in sensor.thresholds ?? [:] {
            if let name = names[key], let reading = threshold.reading { thresholds[name] = reading }
        }
        return value(name: sensor.name ?? sensor.id ?? "Sensor", kind: kind, reading: sensor.reading,
                     unit: unit(sensor.readingUnits), status: sensor.status, thresholds: thresholds)
    }

    /// `temperature`, `fan`, …: from ReadingType, or from the units of sensors without one.
    static func kind(readingType: String?, units: String?) -> String {
        switch readingType {
        case "Temperature": return "temperature"
        case "Voltage": return "voltage"
        case "Current": return "current"
        case "Power": return "power"
        case "Rotational": return "fan"
        case .some: return "other"
        case nil: break
        }
        // Sensors without a ReadingType (older Sensor.v1): told by their units.
        return switch units {
        case "Cel": "temperature"
        case "V": "voltage"
        case "A": "current"
        case "W": "power"
        case "RPM", "{rev}/min": "fan"
        default: "other"
        }
    }

    /// UCUM units (Sensor.v1's ReadingUnits) in the IPMI driver's words.
    static func unit(_ units: String?) -> String {
        switch units {
        case "Cel": "degrees C"
        case "V": "Volts"
        case "A": "Amps"
        case "W": "Watts"
        case "RPM", "{rev}/min": "RPM"
        case "%": "percent"
        case "kW.h": "kWh"
        case "Hz": "Hz"
        case .some(let other): other
        case nil: ""
        }
    }

    static func value(name: String, kind: String, reading: Double?, unit: String, status: ResourceStatus?,
                      thresholds: [String: Double]) -> SensorValue {
        let absent = ["Absent", "Disabled", "UnavailableOffline", "StandbyOffline"].contains(status?.state ?? "")
        guard let reading, !absent else {
            return SensorValue(name: name, kind: kind, value: nil, unit: unit, status: "no reading",
                               thresholds: thresholds)
        }
        return SensorValue(name: name, kind: kind, value: reading, unit: unit,
                           status: self.status(reading, thresholds: thresholds, health: status?.health),
                           thresholds: thresholds)
    }

    /// The most severe threshold the reading is past, as IPMI reports it (a fan at 0 RPM with a fatal floor of 0 is
    /// not past it); else the BMC's own health when
    /// that is not OK; else `ok`.
    static func status(_ reading: Double, thresholds: [String: Double], health: String?) -> String {
        let bySeverity: [(String, (Double, Double) -> Bool)] = [
            ("upper non-recoverable", (>)), ("lower non-recoverable", (<)),
            ("upper critical", (>)), ("lower critical", (<)),
            ("upper non-critical", (>)), ("lower non-critical", (<)),
        ]
        for (name, crossed) in bySeverity {
            if let limit = thresholds[name], crossed(reading, limit) { return name }
        }
        if let health, health != "OK" { return health.lowercased() }
        return "ok"
    }
}

extension LegacyThresholds {
    /// Thermal/Power thresholds under IPMI's names: NonCritical, Critical, Fatal → non-critical, critical,
    /// non-recoverable.
    var named: [String: Double] {
        let pairs: [(String, Double?)] = [
            ("upper non-critical", upperNonCritical), ("upper critical", upperCritical),
            ("upper non-recoverable", upperFatal), ("lower non-critical", lowerNonCritical),
            ("lower critical", lowerCritical), ("lower non-recoverable", lowerFatal),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.compactMap { name, value in value.map { (name, $0) } })
    }
}
