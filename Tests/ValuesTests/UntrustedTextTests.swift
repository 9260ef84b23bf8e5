import Testing
import Values

@Suite struct UntrustedTextTests {
    @Test func screenClearIsEscaped() {
        #expect(UntrustedText.escape("\u{1b}[2J\u{1b}[H") == "\\x1b[2J\\x1b[H")
    }

    @Test func cursorUpAndEraseLineAreEscaped() {
        let hidden = UntrustedText.escape("PXEClient\u{1b}[1A\u{1b}[2K")
        #expect(hidden == "PXEClient\\x1b[1A\\x1b[2K")
        #expect(!hidden.unicodeScalars.contains("\u{1b}"))
    }

    @Test func newlineCannotForgeALogLine() {
        let name = "pxelinux.0\n2026-01-01T00:00:00 notice netroot : netroot ready: serving 3 nodes"
        let safe = UntrustedText.escape(name)
        #expect(safe == "pxelinux.0\\x0a2026-01-01T00:00:00 notice netroot : netroot ready: serving 3 nodes")
        #expect(!safe.contains("\n"))
        #expect(UntrustedText.escape("a\r\nb\tc") == "a\\x0d\\x0ab\\x09c")
    }

    @Test func c1ControlsAreEscaped() {
        // U+009B is CSI on its own: a terminal in 8-bit mode reads it as ESC [.
        #expect(UntrustedText.escape("x\u{9b}2Jy") == "x\\x9b2Jy")
        #expect(UntrustedText.escape("\u{80}\u{85}\u{9f}") == "\\x80\\x85\\x9f")
        // The first character past C1 is printable and stays.
        #expect(UntrustedText.escape("\u{a0}é") == "\u{a0}é")
    }

    @Test func delAndNulAreEscaped() {
        #expect(UntrustedText.escape("a\u{7f}b") == "a\\x7fb")
        #expect(UntrustedText.escape("a\u{0}b") == "a\\x00b")
        #expect(UntrustedText.escape(bytes: [0x61, 0x00, 0x7f, 0x62]) == "a\\x00\\x7fb")
    }

    @Test func bidiControlsAreEscaped() {
        // "txt.exe" shown as "exe.txt" by an override: the override is shown instead.
        #expect(UntrustedText.escape("a\u{202e}exe.txt") == "a\\u{202e}exe.txt")
        let all: [UInt32] = [0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
                             0x2066, 0x2067, 0x2068, 0x2069, 0x2028, 0x2029]
        for value in all {
            let text = String(Character(Unicode.Scalar(value)!))
            let hex = String(value, radix: 16)
            #expect(UntrustedText.escape(text) == "\\u{" + String(repeating: "0", count: 4 - hex.count) + hex + "}")
            #expect(!Terminal.hasControls(UntrustedText.escape(text)))
        }
        #expect(UntrustedText.escape("\u{61c}") == "\\u{061c}")
    }

    @Test func invalidUTF8BytesAreEscaped() {
        #expect(UntrustedText.escape(bytes: [0x41, 0xff, 0x42]) == "A\\xffB")
        // A truncated sequence, a lone continuation byte, an overlong NUL, a surrogate: every byte shown.
        #expect(UntrustedText.escape(bytes: [0xe2, 0x82]) == "\\xe2\\x82")
        #expect(UntrustedText.escape(bytes: [0x80]) == "\\x80")
        #expect(UntrustedText.escape(bytes: [0xc0, 0x80]) == "\\xc0\\x80")
        #expect(UntrustedText.escape(bytes: [0xed, 0xa0, 0x80]) == "\\xed\\xa0\\x80")
        #expect(UntrustedText.escape(bytes: [0xf4, 0x90, 0x80, 0x80]) == "\\xf4\\x90\\x80\\x80")
        // Valid multi-byte text is kept, and an encoded C1 control is escaped like the character.
        #expect(UntrustedText.escape(bytes: Array("café €𝄞".utf8)) == "café €𝄞")
        #expect(UntrustedText.escape(bytes: [0xc2, 0x9b]) == "\\x9b")
        #expect(UntrustedText.escape(bytes: [0xe2, 0x80, 0xae]) == "\\u{202e}")
    }

    @Test func backslashIsEscapedAtEntryOnly() {
        // Escaped at entry, a backslash cannot pass for an escape the appliance wrote.
        #expect(UntrustedText.escape("a\\x1b") == "a\\x5cx1b")
        #expect(UntrustedText.escape(bytes: Array("C:\\boot".utf8)) == "C:\\x5cboot")
        // The renderers' pass keeps backslashes: it changes nothing in text escaped at entry.
        let entered = UntrustedText.escape("\u{1b}[2J\\n\u{202e}")
        #expect(Terminal.safe(entered) == entered)
        #expect(Terminal.safe(Terminal.safe("\u{1b}x")) == Terminal.safe("\u{1b}x"))
        #expect(Terminal.safe("a\\b\u{1b}") == "a\\b\\x1b")
    }

    @Test func lengthIsCapped() {
        let long = String(repeating: "a", count: 1_000)
        let capped = UntrustedText.escape(long)
        #expect(capped.unicodeScalars.count == UntrustedText.defaultLimit)
        #expect(capped.hasSuffix("…"))
        #expect(UntrustedText.escape(long, limit: 10) == "aaaaaaaaa…")
        // Exactly at the cap: nothing cut, no ellipsis.
        #expect(UntrustedText.escape("abcde", limit: 5) == "abcde")
        #expect(UntrustedText.escape("abcdef", limit: 5) == "abcd…")
        // A cut never splits an escape: the whole \x1b goes.
        #expect(UntrustedText.escape("abcd\u{1b}", limit: 7) == "abcd…")
        #expect(UntrustedText.escape("ab\u{1b}cdef", limit: 8) == "ab\\x1bc…")
        // A flood of control characters is bounded too.
        let flood = UntrustedText.escape(bytes: [UInt8](repeating: 0x1b, count: 100_000))
        #expect(flood.unicodeScalars.count <= UntrustedText.defaultLimit)
        #expect(UntrustedText.escape(bytes: [UInt8](repeating: 0x1b, count: 100_000), limit: 13) == "\\x1b\\x1b\\x1b…")
    }

    @Test func plainTextIsUnchanged() {
        for text in ["", "pxelinux.0", "PXEClient:Arch:00007:UNDI:003016", "compute-1.cluster.local", "rhel6/vmlinuz",
                     "Ünïcødé – ok 🚀", "CPU Temp: 45 degrees C (ok; upper critical 90)"] {
            #expect(UntrustedText.escape(text) == text)
            #expect(UntrustedText.escape(bytes: Array(text.utf8)) == text)
            #expect(Terminal.safe(text) == text)
            #expect(UntrustedText(text).safe == text)
        }
    }

    @Test func rendererPassEscapesEveryControl() {
        #expect(Terminal.safe("a\u{1b}[2Jb\u{9b}c\u{7f}\u{0}\n\u{202e}") == "a\\x1b[2Jb\\x9bc\\x7f\\x00\\x0a\\u{202e}")
        #expect(!Terminal.hasControls(Terminal.safe("\u{1b}\u{85}\u{2066}")))
        #expect(Terminal.hasControls("x\u{1b}"))
    }

    @Test func wrapperKeepsTheEscapedText() {
        let text = UntrustedText(bytes: [0x1b, 0x5b, 0x32, 0x4a, 0xff])
        #expect(text.safe == "\\x1b[2J\\xff")
        #expect("\(text)" == "\\x1b[2J\\xff")
    }
}

@Suite struct StoredTextTests {
    @Test func storedTextIsEscapedWithoutDoublingBackslashes() {
        // An old file's raw text is made safe; text escaped at entry and stored comes back unchanged.
        #expect(UntrustedText.escapeStored("PXE\u{1b}[2J") == "PXE\\x1b[2J")
        let entered = UntrustedText.escape("PXE\u{1b}[2J\\")
        #expect(UntrustedText.escapeStored(entered) == entered)
        #expect(UntrustedText.escapeStored(UntrustedText.escapeStored(entered)) == entered)
        #expect(UntrustedText.escapeStored(String(repeating: "b", count: 300)).unicodeScalars.count
                == UntrustedText.defaultLimit)
    }
}
