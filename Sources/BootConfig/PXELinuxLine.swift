import Inventory

/// One line of a pxelinux config, built only from a directive and values that cannot break a line, or a
/// comment: no value can end its line early or add another (a newline in a cmdline cannot smuggle in a
/// second `KERNEL`).
struct PXELinuxLine: Equatable {
    enum Directive: String {
        case defaultLabel = "DEFAULT"
        case prompt = "PROMPT"
        case timeout = "TIMEOUT"
        case label = "LABEL"
        case kernel = "KERNEL"
        case initrd = "INITRD"
        case append = "APPEND"
        case ipAppend = "IPAPPEND"
        case localBoot = "LOCALBOOT"
    }

    let text: String

    private init(text: String) { self.text = text }

    static let blank = PXELinuxLine(text: "")

    /// `# …`; the text is shown, never acted on, so line breakers in it are escaped rather than refused.
    static func comment(_ text: String) -> PXELinuxLine {
        PXELinuxLine(text: "# " + ConfigLineValue(escaping: text).text)
    }

    /// A global directive (`DEFAULT netroot`).
    init(_ directive: Directive, _ argument: ConfigLineValue) {
        text = directive.rawValue + " " + argument.text
    }

    /// A directive of a label's entry, indented under its `LABEL`.
    init(entry directive: Directive, _ argument: ConfigLineValue) {
        text = "  " + directive.rawValue + " " + argument.text
    }

    init(_ directive: Directive, _ number: Int) {
        text = directive.rawValue + " \(number)"
    }

    init(entry directive: Directive, _ number: Int) {
        text = "  " + directive.rawValue + " \(number)"
    }

    static func kernel(_ file: PXELinuxFileName) -> PXELinuxLine { PXELinuxLine(entry: .kernel, file.value) }
    static func initrd(_ file: PXELinuxFileName) -> PXELinuxLine { PXELinuxLine(entry: .initrd, file.value) }
    static func append(_ cmdline: ConfigLineValue) -> PXELinuxLine { PXELinuxLine(entry: .append, cmdline) }

    /// The lines as a file: each ends with a newline.
    static func file(_ lines: [PXELinuxLine]) -> String {
        lines.map { $0.text + "\n" }.joined()
    }
}

/// A file name on a `KERNEL` or `INITRD` line: one line and one word, since pxelinux reads the name up to the
/// first space and takes what follows as kernel arguments.
struct PXELinuxFileName: Equatable {
    let value: ConfigLineValue

    init?(_ text: String) {
        guard !text.isEmpty, !text.unicodeScalars.contains(where: \.properties.isWhitespace),
              let value = ConfigLineValue(text) else { return nil }
        self.value = value
    }
}
