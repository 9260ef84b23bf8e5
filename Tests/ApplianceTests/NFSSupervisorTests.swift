@testable import NFSSupervision
import Foundation
import Testing

/// The NFS supervisor's state machine with no processes: events in, actions out.
@Suite struct NFSSupervisorTests {
    let one = [NFSExport(image: "one", directory: "/srv/one", path: "/one")]
    let two = [NFSExport(image: "two", directory: "/srv/two", path: "/two")]

    func spawns(_ actions: [NFSSupervisor.Action]) -> Int {
        actions.filter { if case .spawn = $0 { true } else { false } }.count
    }

    /// Starts `exports` as PID `pid` at time 0.
    func running(_ exports: [NFSExport], pid: pid_t = 100) -> NFSSupervisor {
        var supervisor = NFSSupervisor()
        #expect(supervisor.handle(.serve(exports)) == [.spawn(exports)])
        #expect(supervisor.handle(.spawned(pid: pid, at: 0)) == [])
        return supervisor
    }

    @Test func aRestartTimerFiringAfterStopDoesNotSpawn() {
        var supervisor = running(one)
        #expect(supervisor.handle(.exited(pid: 100, status: 256, at: 5)) ==
                [.reportCrash(status: 256, restartIn: 1), .scheduleTimer(.restart(1), after: 1)])
        #expect(supervisor.handle(.stop) == [.finished])
        #expect(supervisor.handle(.timerFired(.restart(1))) == [])
        #expect(supervisor.handle(.serve(one)) == [])
        #expect(supervisor.state == .finished)
    }

    @Test func stopWhileStartingStopsTheProcessOnceItIsThere() {
        var supervisor = NFSSupervisor()
        #expect(supervisor.handle(.serve(one)) == [.spawn(one)])
        #expect(supervisor.handle(.stop) == [])
        #expect(supervisor.handle(.spawned(pid: 7, at: 0)) == [.terminate(7), .scheduleTimer(.escalate(7), after: 5)])
        #expect(supervisor.handle(.exited(pid: 7, status: 0, at: 1)) == [.finished])
    }

    @Test func anExitDuringStopFinishesAndALateEscalationIsIgnored() {
        var supervisor = running(one, pid: 5)
        #expect(supervisor.handle(.stop) == [.terminate(5), .scheduleTimer(.escalate(5), after: 5)])
        // A second stop (or a reload) while stopping changes nothing.
        #expect(supervisor.handle(.stop) == [])
        #expect(supervisor.handle(.serve(two)) == [])
        #expect(supervisor.handle(.exited(pid: 5, status: 15, at: 1)) == [.finished])
        #expect(supervisor.handle(.timerFired(.escalate(5))) == [])
    }

    @Test func aProcessThatIgnoresSIGTERMIsKilled() {
        var supervisor = running(one, pid: 5)
        _ = supervisor.handle(.stop)
        #expect(supervisor.handle(.timerFired(.escalate(5))) == [.kill(5)])
        #expect(supervisor.handle(.exited(pid: 5, status: 9, at: 6)) == [.finished])
    }

    @Test func aReloadWhileARestartIsPendingSpawnsExactlyOneProcess() {
        var supervisor = running(one)
        _ = supervisor.handle(.exited(pid: 100, status: 256, at: 5))
        // The reload with new exports starts them now; the restart timer that fires later is stale.
        #expect(supervisor.handle(.serve(two)) == [.spawn(two)])
        #expect(supervisor.handle(.spawned(pid: 101, at: 5.5)) == [])
        #expect(supervisor.handle(.timerFired(.restart(1))) == [])
        #expect(supervisor.state == .running(pid: 101, exports: two, since: 5.5))
    }

    @Test func aReloadWithTheSameExportsWaitsForThePendingRestart() {
        var supervisor = running(one)
        _ = supervisor.handle(.exited(pid: 100, status: 256, at: 5))
        #expect(supervisor.handle(.serve(one)) == [])
        #expect(supervisor.handle(.timerFired(.restart(1))) == [.spawn(one)])
    }

    @Test func changedExportsRestartOnceWhateverArrivesWhileTheOldProcessStops() {
        var supervisor = running(one)
        #expect(supervisor.handle(.serve(two)) == [.terminate(100), .scheduleTimer(.escalate(100), after: 5)])
        #expect(supervisor.handle(.serve(one)) == [])
        #expect(supervisor.handle(.serve(two)) == [])
        // Only the last wish is started, once the old process is gone.
        #expect(supervisor.handle(.exited(pid: 100, status: 0, at: 1)) == [.spawn(two)])
    }

    @Test func noExportsStopServingAndAStrangersExitIsIgnored() {
        var supervisor = running(one)
        #expect(supervisor.handle(.exited(pid: 999, status: 0, at: 1)) == [])
        #expect(supervisor.handle(.serve([])) == [.terminate(100), .scheduleTimer(.escalate(100), after: 5)])
        #expect(supervisor.handle(.exited(pid: 100, status: 0, at: 2)) == [])
        #expect(supervisor.state == .stopped)
        #expect(supervisor.handle(.serve(two)) == [.spawn(two)])
    }

    @Test func crashesBackOffUpTo30sAndAMinuteOfRunningResetsTheWait() {
        var supervisor = running(one, pid: 1)
        var delays: [Double] = []
        for pid in pid_t(1)...7 {
            for action in supervisor.handle(.exited(pid: pid, status: 256, at: Double(pid))) {
                if case .scheduleTimer(.restart(let timer), let delay) = action {
                    delays.append(delay)
                    #expect(supervisor.handle(.timerFired(.restart(timer))) == [.spawn(one)])
                }
            }
            _ = supervisor.handle(.spawned(pid: pid + 1, at: Double(pid)))
        }
        #expect(delays == [1, 2, 4, 8, 16, 30, 30])
        #expect(supervisor.handle(.exited(pid: 8, status: 256, at: 200)).contains(.scheduleTimer(.restart(8), after: 1)))
    }

    @Test func aFailedSpawnIsRetriedLikeACrash() {
        var supervisor = NFSSupervisor()
        _ = supervisor.handle(.serve(one))
        #expect(supervisor.handle(.spawnFailed) == [.reportCrash(status: -1, restartIn: 1), .scheduleTimer(.restart(1), after: 1)])
    }

    /// Random interleavings of reloads, crashes, timers and a final stop, against a fake executor: never two
    /// processes at once, and none left (or started) after the stop.
    @Test func randomInterleavingsNeverRunTwoProcesses() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            var supervisor = NFSSupervisor()
            var live = Set<pid_t>(), timers: [NFSSupervisor.Timer] = [], nextPID: pid_t = 1, stopped = false
            func run(_ event: NFSSupervisor.Event) {
                var pending = supervisor.handle(event)
                while !pending.isEmpty {
                    switch pending.removeFirst() {
                    case .spawn:
                        #expect(live.isEmpty, "a second process would start")
                        #expect(!stopped, "a process would start after stop")
                        live.insert(nextPID)
                        pending += supervisor.handle(.spawned(pid: nextPID, at: 0))
                        nextPID += 1
                    case .scheduleTimer(let timer, _): timers.append(timer)
                    default: break
                    }
                }
            }
            for step in 0..<40 {
                switch Int.random(in: 0..<5, using: &generator) {
                case 0: run(.serve([one, two, []].randomElement(using: &generator)!))
                case 1, 2:
                    // A process dies (asked or not): the reaper reports it.
                    if let pid = live.randomElement(using: &generator) {
                        live.remove(pid)
                        run(.exited(pid: pid, status: 0, at: Double(step)))
                    }
                default:
                    if !timers.isEmpty { run(.timerFired(timers.remove(at: Int.random(in: 0..<timers.count, using: &generator)))) }
                }
            }
            stopped = true
            run(.stop)
            // Drain: deliver exits and timers until nothing is left.
            while !live.isEmpty || !timers.isEmpty {
                if let pid = live.first {
                    live.remove(pid)
                    run(.exited(pid: pid, status: 15, at: 100))
                } else {
                    run(.timerFired(timers.removeFirst()))
                }
            }
            #expect(supervisor.state == .finished)
        }
    }
}
