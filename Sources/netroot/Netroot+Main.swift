import ArgumentParser

extension Netroot {
    /// ArgumentParser's own main, with one step before anything runs asynchronously: `serve` opens what needs its
    /// capabilities and drops them all while the process still has a single thread (each thread has its own
    /// capabilities, and every thread started later copies its creator's), and `nfs-helper` keeps only its own.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if let serve = command as? ServeCommand { try serve.prepareWhilePrivileged() }
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
