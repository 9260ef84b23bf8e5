import IPMI

extension UDPSessionRunner: IPMICommandSender {}

extension IPMICommandSender {
    /// The response's data; a completion code other than "normal" throws, named.
    public func checkedSend(_ request: IPMIRequest) throws -> [UInt8] {
        let response = try send(request)
        guard response.completionCode == 0 else {
            throw IPMIClientError.session(.completion(stage: request.name, code: response.completionCode))
        }
        return response.data
    }

    /// The full sensor records of the BMC's SDR repository and their readings (`SDRWalk`: whatever the BMC
    /// answers, a failure and never a trap). A refused command throws `.session(.completion)`.
    public func readSensors() throws -> [SensorRecordReading] {
        do {
            return try SDRWalk.readSensors(from: self)
        } catch let error as SessionError {
            throw IPMIClientError.session(error)
        }
    }
}
