/// The dashboard's files, served by netroot itself: provisioning networks are often offline, so nothing comes
/// from a CDN and nothing is built. They live as plain files in Sources/Dashboard/Resources (edit them there) and
/// are compiled into the binary (SwiftPM's embedInCode), so the appliance is still one file.
public enum DashboardAssets {
    /// A file of the page: its content type and bytes.
    public struct Asset: Sendable {
        public let type: String
        public let body: [UInt8]
    }

    /// The page: the rack, the unknown machines' panel and the waterfall.
    public static let page = Asset(type: "text/html; charset=utf-8", body: PackageResources.index_html)
    /// Its styles: the layout; a tile's colour comes from its stage, named by `/api/state`.
    public static let stylesheet = Asset(type: "text/css; charset=utf-8", body: PackageResources.dashboard_css)
    /// Its script: plain JavaScript, no framework, nothing fetched from elsewhere.
    public static let script = Asset(type: "text/javascript; charset=utf-8", body: PackageResources.dashboard_js)

    /// Path → the file, for the HTTP endpoint.
    public static func asset(_ path: String) -> Asset? {
        switch path {
        case "/", "/index.html": page
        case "/dashboard.css": stylesheet
        case "/dashboard.js": script
        default: nil
        }
    }
}
