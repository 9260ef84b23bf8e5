import TFTP
import Testing

/// The transfer state machine with an injected clock: no socket, no sleep.
@Suite struct TransferTests {
    let t0 = ContinuousClock.now

    func blocks(_ actions: [Transfer.Action]) -> [UInt16] {
        actions.compactMap { if case let .sendData(block, _, _) = $0 { return block } else { return nil } }
    }

    @Test func lockstepWithoutOptions() {
        var transfer = Transfer(size: 1024, options: TransferOptions(), now: t0)
        #expect(transfer.totalBlocks == 3) // 512 + 512 + an empty final block
        #expect(transfer.start(now: t0) == [.sendData(block: 1, offset: 0, count: 512)])
        #expect(transfer.receive(.acknowledgment(block: 1), now: t0) == [.sendData(block: 2, offset: 512, count: 512)])
        #expect(transfer.receive(.acknowledgment(block: 2), now: t0) == [.sendData(block: 3, offset: 1024, count: 0)])
        #expect(transfer.receive(.acknowledgment(block: 3), now: t0) == [.finish(.completed)])
        #expect(transfer.isFinished)
    }

    @Test func duplicateACKsSendNothing() {
        var transfer = Transfer(size: 2000, options: TransferOptions(), now: t0)
        _ = transfer.start(now: t0)
        _ = transfer.receive(.acknowledgment(block: 1), now: t0)
        // Sorcerer's Apprentice: a duplicate ACK 1 must not cause block 2 to go out twice.
        #expect(transfer.receive(.acknowledgment(block: 1), now: t0).isEmpty)
        #expect(transfer.receive(.acknowledgment(block: 0), now: t0).isEmpty)
        #expect(transfer.receive(.acknowledgment(block: 9), now: t0).isEmpty)
    }

    @Test func oackFirstThenData() throws {
        let options = try TransferOptions.negotiate([TFTPOption("blksize", "1408"), TFTPOption("tsize", "0")], size: 5000,
                                                    limits: .init(mtu: 1500)).get()
        var transfer = Transfer(size: 5000, options: options, now: t0)
        #expect(transfer.start(now: t0) == [.sendOptionAcknowledgment([TFTPOption("blksize", "1408"), TFTPOption("tsize", "5000")])])
        #expect(transfer.receive(.acknowledgment(block: 0), now: t0) == [.sendData(block: 1, offset: 0, count: 1408)])
    }

    @Test func clientRefusingTheOACKEndsTheTransfer() throws {
        let options = try TransferOptions.negotiate([TFTPOption("tsize", "0")], size: 10, limits: .init()).get()
        var transfer = Transfer(size: 10, options: options, now: t0)
        _ = transfer.start(now: t0)
        #expect(transfer.receive(.error(code: 8, message: "no"), now: t0) == [.finish(.abortedByClient(code: 8, message: "no"))])
    }

    @Test func windowSizeSendsAWindowAndRecoversFromAGap() throws {
        let options = try TransferOptions.negotiate([TFTPOption("windowsize", "4")], size: 512 * 10, limits: .init()).get()
        var transfer = Transfer(size: 512 * 10, options: options, now: t0)
        _ = transfer.start(now: t0)
        #expect(blocks(transfer.receive(.acknowledgment(block: 0), now: t0)) == [1, 2, 3, 4])
        #expect(blocks(transfer.receive(.acknowledgment(block: 4), now: t0)) == [5, 6, 7, 8])
        // Block 6 was lost: the client acknowledges 5, the window restarts at 6 (RFC 7440 §4).
        #expect(blocks(transfer.receive(.acknowledgment(block: 5), now: t0)) == [6, 7, 8, 9])
        #expect(blocks(transfer.receive(.acknowledgment(block: 9), now: t0)) == [10, 11])
        #expect(transfer.receive(.acknowledgment(block: 11), now: t0) == [.finish(.completed)])
    }

    @Test func timeoutResendsTheWindowThenGivesUp() {
        var transfer = Transfer(size: 100, options: TransferOptions(), now: t0, retransmitAfter: .seconds(1),
                                maximumRetries: 2)
        _ = transfer.start(now: t0)
        #expect(transfer.tick(now: t0 + .milliseconds(500)).isEmpty)
        #expect(blocks(transfer.tick(now: t0 + .seconds(1))) == [1])
        #expect(blocks(transfer.tick(now: t0 + .seconds(2))) == [1])
        #expect(transfer.tick(now: t0 + .seconds(3)) == [.sendError(.notDefined, "timed out"), .finish(.timedOut)])
    }

    @Test func blockNumbersRollOverPast65535() {
        // 200 MB at 512-byte blocks: 409,601 blocks, the counter wraps six times.
        let size = 200 * 1024 * 1024
        var transfer = Transfer(size: size, options: TransferOptions(), now: t0)
        var actions = transfer.start(now: t0)
        var acknowledged = 0
        while case let .sendData(block, offset, _)? = actions.first {
            #expect(offset == acknowledged * 512)
            acknowledged += 1
            actions = transfer.receive(.acknowledgment(block: block), now: t0)
        }
        #expect(actions == [.finish(.completed)])
        #expect(acknowledged == size / 512 + 1)
    }

    @Test func negotiation() throws {
        let limits = TransferOptions.Limits(mtu: 1500)
        #expect(TransferOptions.negotiate([TFTPOption("blksize", "7")], size: 1, limits: limits).map(\.blockSize)
                == .failure(TFTPNegotiationError(message: "blksize 7 outside 8-65464")))
        #expect(TransferOptions.negotiate([TFTPOption("blksize", "65465")], size: 1, limits: limits).map(\.blockSize)
                == .failure(TFTPNegotiationError(message: "blksize 65465 outside 8-65464")))
        let clamped = try TransferOptions.negotiate([TFTPOption("blksize", "65464"), TFTPOption("timeout", "3"), TFTPOption("windowsize", "16"),
                                                     TFTPOption("frobnicate", "1")], size: 9, limits: limits).get()
        #expect(clamped.blockSize == 1468)
        #expect(clamped.timeoutSeconds == 3)
        #expect(clamped.windowSize == 16)
        #expect(clamped.acknowledged.map(\.name) == ["blksize", "timeout", "windowsize"])
    }
}

@Suite struct TransferTimeoutMidStream {
    @Test func lostBlockIsResentAfterTheTimeout() {
        let t0 = ContinuousClock.now
        var options = TransferOptions()
        options.blockSize = 1468
        options.timeoutSeconds = 1
        options.acknowledged = [TFTPOption("blksize", "1468"), TFTPOption("timeout", "1")]
        var transfer = Transfer(size: 262_144, options: options, now: t0)
        _ = transfer.start(now: t0)
        _ = transfer.receive(.acknowledgment(block: 0), now: t0)
        _ = transfer.receive(.acknowledgment(block: 1), now: t0)
        _ = transfer.receive(.acknowledgment(block: 2), now: t0)
        let resent = transfer.tick(now: t0 + .milliseconds(1001))
        #expect(resent == [.sendData(block: 3, offset: 2 * 1468, count: 1468)])
    }
}
