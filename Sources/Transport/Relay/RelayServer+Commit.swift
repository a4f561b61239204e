import Storage

extension RelayServer {
    /// The end-of-turn hook: send the turn's early deliveries, collect finished batches
    /// (releasing what waited for them), then submit the open batch or release it
    /// (``RelayCommitPipeline/endOfTurn(writes:)``), and tell the core where the turns stand.
    func endOfTurn() {
        if !core.early.isEmpty {
            var early = spareEarly
            swap(&early, &core.early)
            spareEarly = release(consume early)
        }
        if pipeline.inFlight != nil {
            for completion in storage.takeCompletions() { finish(completion) }
        }
        // Switching on the result itself (not on a copy kept in a variable) hands the released
        // array over uniquely referenced, so `release` moves its elements without copying it.
        switch pipeline.endOfTurn(writes: &core.writes) {
        case nil:
            break
        case let .submit(number, writes)?:
            inFlightWrites = writes.count
            storage.submit(number, writes: writes)
        case let .release(actions)?:
            pipeline.recycle(release(actions))
        }
        core.turns = pipeline.turns
    }

    /// Blocks until nothing is staged or committing: every batch is submitted, committed and its
    /// actions released (or failed). For shutdown, when no later turn will come.
    func drainPipeline() {
        while !pipeline.isIdle || !core.writes.isEmpty || !core.early.isEmpty {
            if pipeline.inFlight != nil {
                storage.waitUntilIdle()
                for completion in storage.takeCompletions() { finish(completion) }
                core.turns = pipeline.turns
            } else {
                endOfTurn()
            }
        }
    }

    /// A batch's outcome came back from the storage thread.
    private func finish(_ completion: RelayStorage.Completion) {
        switch completion.result {
        case .success:
            committedTotals.transactions += 1
            committedTotals.writes += inFlightWrites
            pipeline.recycle(release(pipeline.committed(completion.number)))
        case let .failure(error):
            commitFailed(error, dropping: pipeline.failed(completion.number, writes: &core.writes))
        }
    }

    /// Performs released actions in order: frames are gathered per connection and written once
    /// (one syscall per connection per release), closes follow their connection's frames, and
    /// metadata events go to the sink, which is flushed at the end. Returns the emptied array,
    /// for its capacity.
    func release(_ released: consuming [RelayAction]) -> [RelayAction] {
        var actions = consume released
        guard !actions.isEmpty else { return actions }
        var recorded = false
        // Lent out for the loop, so they are not checked for exclusivity at every action.
        var touched: [RelayPeer] = []
        swap(&touched, &self.touched)
        do {
            // A copy that ends with this block: a close below may remove a peer from the table.
            let peers = self.peers
            // Each action is moved out of the array, not copied: a copy and a destroy of a frame
            // (retain, release, and a switch over every case of `Frame`) per action was a tenth of
            // the loop thread's time. The slot gets a payload-free placeholder, so the array stays
            // fully initialized and destroying it later costs nothing per element.
            actions.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                for index in 0..<buffer.count {
                    let action = (base + index).move()
                    (base + index).initialize(to: .close(ConnectionID(rawValue: 0)))
                    switch consume action {
                    case let .send(id, frame, requestID):
                        guard let peer = peers[id.rawValue] else { continue }
                        if peer.pendingOutput.isEmpty, !peer.closeAfterFlush { touched.append(peer) }
                        do throws(WireError) {
                            try encoder.encode(frame, requestID: requestID, into: &peer.pendingOutput)
                        } catch {
                            // Only a frame above the encoder's limit can fail; the core never builds one.
                            continue
                        }
                    case let .close(id):
                        guard let peer = peers[id.rawValue] else { continue }
                        if peer.pendingOutput.isEmpty, !peer.closeAfterFlush { touched.append(peer) }
                        peer.closeAfterFlush = true
                    case let .record(event):
                        plugIns.sink.record(event)
                        recorded = true
                    case .write:
                        // The core keeps its writes apart (`RelayCore.writes`); none reach this list.
                        continue
                    }
                }
            }
        }
        for peer in touched {
            if !peer.pendingOutput.isEmpty {
                peer.connection.write(peer.pendingOutput)
                peer.pendingOutput.removeAll(keepingCapacity: peer.pendingOutput.capacity <= 1 << 16)
            }
            if peer.closeAfterFlush { peer.connection.close() }
        }
        touched.removeAll(keepingCapacity: true)
        swap(&touched, &self.touched)
        if recorded { plugIns.sink.flush() }
        actions.removeAll(keepingCapacity: actions.capacity <= 1 << 16)
        return actions
    }

    /// A commit failed: nothing that waited for it may be acknowledged. Every connection those
    /// actions were for gets error 500 and is closed (clients retry; sends are idempotent), and the
    /// core is rebuilt from the store so memory matches what is durable.
    private func commitFailed(_ error: StorageError, dropping dropped: [RelayAction]) {
        commitFailures += 1
        lastCommitError = "\(error)"
        var affected = Set<ConnectionID>()
        for action in dropped {
            if case let .send(id, _, _) = action { affected.insert(id) }
            if case let .close(id) = action { affected.insert(id) }
        }
        for id in affected.sorted() {
            guard let peer = peers[id.rawValue] else { continue }
            if let bytes = try? encoder.encode(.makeError(.internalError, message: "relay storage failed; retry"), requestID: .zero) {
                peer.connection.write(bytes)
            }
            peer.connection.close()
        }
        reloadCore()
    }

    /// Replaces the core by one loaded from the store; every connection must re-authenticate.
    private func reloadCore() {
        let now = Self.wallClock()
        guard let snapshot = try? storage.load(
            envelopeCutoff: now - configuration.limits.envelopeTTLMilliseconds,
            idempotencyCutoff: now - configuration.limits.idempotencyWindowMilliseconds
        ) else { return }
        core = RelayCore(snapshot: snapshot, limits: configuration.limits, policy: plugIns.policy,
                         tokenHasher: configuration.tokenHasher, random: BufferedSystemRandom())
        configureCore()
        var open: [RelayPeer] = []
        peers.forEach { _, peer in open.append(peer) }
        for peer in open { peer.connection.close() }
    }
}
