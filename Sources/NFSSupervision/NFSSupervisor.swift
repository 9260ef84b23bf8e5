import Foundation

/// The NFS server's life cycle as a pure state machine: events in, actions out, the clock passed in. One serial
/// executor (NFSServer's queue) owns it, so a restart timer, a reload and a stop can never each start a process.
struct NFSSupervisor: Equatable {
    /// What the supervisor is doing about the one nfs-ganesha it may have.
    enum State: Equatable {
        /// No process and none wanted (no exports), or none yet.
        case stopped
        /// A spawn was asked for these exports; its PID (or failure) comes back as an event.
        case starting([NFSExport])
        /// Running with these exports since `since`.
        case running(pid: pid_t, exports: [NFSExport], since: Double)
        /// The last process, serving `exports`, died; timer `timer` restarts it.
        case backoff(timer: Int, exports: [NFSExport])
        /// SIGTERM sent; the exit comes back as an event (timer escalates to SIGKILL).
        case stopping(pid: pid_t)
        /// Shut down for good: nothing starts again.
        case finished
    }

    /// What woke the executor up.
    enum Event: Equatable {
        /// Serve these exports (the first start, or a reload's; none stops serving).
        case serve([NFSExport])
        /// The spawn asked for started this process, at `at`.
        case spawned(pid: pid_t, at: Double)
        /// The spawn asked for failed (configuration not written, program not started).
        case spawnFailed
        /// The reaper saw this process end with this wait status, at `at`.
        case exited(pid: pid_t, status: Int32, at: Double)
        /// A timer scheduled by `scheduleTimer` fired.
        case timerFired(Timer)
        /// The server is shutting down.
        case stop
    }

    /// What a scheduled timer is for.
    enum Timer: Equatable {
        /// Restart after a crash; only the newest restart timer counts.
        case restart(Int)
        /// The process did not stop after SIGTERM: SIGKILL it.
        case escalate(pid_t)
    }

    /// What the executor must do, in order.
    enum Action: Equatable {
        /// Write the configuration for these exports and start nfs-ganesha; report `spawned` or `spawnFailed`.
        case spawn([NFSExport])
        /// SIGTERM.
        case terminate(pid_t)
        /// SIGKILL.
        case kill(pid_t)
        case scheduleTimer(Timer, after: Double)
        /// Log that it died unasked, and when it restarts.
        case reportCrash(status: Int32, restartIn: Double)
        /// The process is gone after `stop`: whoever waits for the shutdown may go on.
        case finished
    }

    private(set) var state = State.stopped
    /// The exports wanted now: what a stop-and-start converges to.
    private(set) var wanted: [NFSExport] = []
    private var failures = 0
    private var stopRequested = false
    private var timers = 0
    /// SIGTERM's grace before SIGKILL.
    let grace: Double

    init(grace: Double = 5) { self.grace = grace }

    /// The actions for one event; the state moves on.
    mutating func handle(_ event: Event) -> [Action] {
        switch (event, state) {
        case (_, .finished):
            return []

        case (.serve, _) where stopRequested:
            return []

        case (.serve(let exports), _):
            wanted = exports
            switch state {
            case .stopped: return exports.isEmpty ? [] : spawn()
            case .running(let pid, let current, _): return current == exports ? [] : terminate(pid)
            // A reload with other exports starts them now; the same exports wait for the timer (no crash loop).
            case .backoff(_, let current):
                if exports.isEmpty { return settle() }
                return current == exports ? [] : spawn()
            // The spawn in flight or the exit awaited decides next, against `wanted`.
            case .starting, .stopping, .finished: return []
            }

        case (.stop, _):
            stopRequested = true
            wanted = []
            switch state {
            case .running(let pid, _, _): return terminate(pid)
            case .stopped, .backoff:
                state = .finished
                return [.finished]
            case .starting, .stopping, .finished: return []
            }

        case (.spawned(let pid, let time), .starting(let exports)):
            state = .running(pid: pid, exports: exports, since: time)
            return exports == wanted ? [] : terminate(pid)

        case (.spawnFailed, .starting(let exports)):
            return crashed(status: -1, exports: exports)

        case (.exited(let pid, let status, let time), .running(let running, let exports, let since)) where pid == running:
            if time - since > 60 { failures = 0 }
            return crashed(status: status, exports: exports)

        case (.exited(let pid, _, _), .stopping(let stopping)) where pid == stopping:
            return settle()

        case (.timerFired(.restart(let timer)), .backoff(let current, _)) where timer == current:
            return settle()

        case (.timerFired(.escalate(let pid)), .stopping(let stopping)) where pid == stopping:
            return [.kill(pid)]

        default:
            // A stale timer, a stranger's exit, a spawn result out of turn: nothing to do.
            return []
        }
    }

    /// No process now: start what is wanted, or rest (or finish, after a stop).
    private mutating func settle() -> [Action] {
        if stopRequested {
            state = .finished
            return [.finished]
        }
        if !wanted.isEmpty { return spawn() }
        state = .stopped
        return []
    }

    private mutating func spawn() -> [Action] {
        state = .starting(wanted)
        return [.spawn(wanted)]
    }

    private mutating func terminate(_ pid: pid_t) -> [Action] {
        state = .stopping(pid: pid)
        return [.terminate(pid), .scheduleTimer(.escalate(pid), after: grace)]
    }

    /// A crash is restarted after 1, 2, 4 … 30 s; a run that lasted a minute resets the wait.
    private mutating func crashed(status: Int32, exports: [NFSExport]) -> [Action] {
        if stopRequested { return settle() }
        failures += 1
        timers += 1
        let delay = min(30, pow(2, Double(failures - 1)))
        state = .backoff(timer: timers, exports: exports)
        return [.reportCrash(status: status, restartIn: delay), .scheduleTimer(.restart(timers), after: delay)]
    }
}
