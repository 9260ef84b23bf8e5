/// Why a packet socket or a libpcap capture could not be opened, filtered, written or read.
public struct CaptureError: Error, CustomStringConvertible {
    public let description: String
}
