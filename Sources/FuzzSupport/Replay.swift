import Foundation

/// Runs `exercise` over each file named on the command line: how a fuzz target replays a crasher or a
/// corpus entry when it is built without libFuzzer.
public func replayCommandLineFiles(_ exercise: (UnsafeBufferPointer<UInt8>) -> Void) {
    for path in CommandLine.arguments.dropFirst() {
        guard let data = FileManager.default.contents(atPath: path) else {
            print("cannot read \(path)")
            continue
        }
        Array(data).withUnsafeBufferPointer(exercise)
        print("\(path): ok")
    }
}
