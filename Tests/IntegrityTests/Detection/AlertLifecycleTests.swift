import Testing
@testable import Integrity

/// The alert lifecycle, one transition per line, on a virtual clock (ms): `for` 10, resolve after 30.
@Suite struct AlertLifecycleTests {
    typealias L = AlertLifecycle

    /// A lifecycle after the given (breaching, holding, time) evaluations; returns the last action.
    static func run(_ steps: [(Bool, Bool, Int64)], pendingFor: Int64 = 10, resolveAfter: Int64 = 30) -> (L, L.Action) {
        var lifecycle = L()
        var action = L.Action.none
        for (breaching, holding, time) in steps {
            action = lifecycle.evaluate(breaching: breaching, holding: holding, at: time, pendingFor: pendingFor, resolveAfter: resolveAfter)
        }
        return (lifecycle, action)
    }

    @Test func transitions() {
        #expect(Self.run([(false, false, 0)]) == (L(), .none))                                                 // inactive stays inactive
        #expect(Self.run([(true, true, 0)]).0.phase == .pending)                                               // inactive → pending
        #expect(Self.run([(true, true, 0)]).1 == .none)                                                        // pending sends nothing
        #expect(Self.run([(true, true, 0), (true, true, 9)]).0.phase == .pending)                              // not yet `for`
        #expect(Self.run([(true, true, 0), (true, true, 10)]).1 == .fire(startsAt: 0))                         // pending → firing after `for`
        #expect(Self.run([(true, true, 0), (false, true, 5)]).0.phase == .inactive)                            // pending flap → inactive, silently
        #expect(Self.run([(true, true, 0), (false, true, 5), (true, true, 12)]).0.phase == .pending)           // …and `for` starts again
        #expect(Self.run([(true, true, 0)], pendingFor: 0).1 == .fire(startsAt: 0))                            // `for` 0 fires at once
        #expect(Self.run([(true, true, 0), (true, true, 10), (false, true, 20)]).1 == .none)                   // under threshold, above hysteresis: holds
        #expect(Self.run([(true, true, 0), (true, true, 10), (false, true, 100)]).0.phase == .firing)          // …for any time
        #expect(Self.run([(true, true, 0), (true, true, 10), (false, false, 20)]).0.phase == .firing)          // below hysteresis: not yet resolved
        #expect(Self.run([(true, true, 0), (true, true, 10), (false, false, 20), (false, false, 49)]).1 == .none)   // 29 ms below
        #expect(Self.run([(true, true, 0), (true, true, 10), (false, false, 20), (false, false, 50)]).1
            == .resolve(startsAt: 0, endsAt: 50))                                                              // 30 ms below → resolved
        #expect(Self.run([(true, true, 0), (true, true, 10), (false, false, 20), (false, true, 40), (false, false, 60)]).0.phase
            == .firing)                                                                                        // flapping across hysteresis: the clock restarts
        #expect(Self.run([(true, true, 0), (true, true, 10), (false, false, 20), (false, false, 50), (true, true, 60)]).0.phase
            == .pending)                                                                                       // resolved → pending again
        #expect(Self.run([(true, true, 0), (true, true, 10), (false, false, 20), (false, false, 50), (true, true, 60), (true, true, 70)]).1
            == .fire(startsAt: 60))                                                                            // re-fire with a new startsAt
        #expect(Self.run([(true, true, 0), (true, true, 10), (false, false, 20)], resolveAfter: 0).1
            == .resolve(startsAt: 0, endsAt: 20))                                                              // resolve_after 0: at once
    }

    @Test func forceResolve() {
        var firing = Self.run([(true, true, 0), (true, true, 10)]).0
        #expect(firing.forceResolve(at: 99) == .resolve(startsAt: 0, endsAt: 99))                              // firing → resolved
        #expect(firing.phase == .inactive)
        var pending = Self.run([(true, true, 0)]).0
        #expect(pending.forceResolve(at: 99) == .none)                                                         // pending → inactive, silently
        #expect(pending.phase == .inactive)
    }

    @Test func flappingConditionSendsOneFiringAndOneResolved() {
        // A value oscillating around the firing threshold, never under the hysteresis threshold for
        // long: one firing transition, then one resolution once it falls away for good.
        var lifecycle = L()
        var actions: [L.Action] = []
        for step in Int64(0)..<200 {
            let breaching = step < 150 && step % 4 < 2
            let holding = step < 150
            let action = lifecycle.evaluate(breaching: breaching, holding: holding, at: step * 10, pendingFor: 10, resolveAfter: 300)
            if action != .none { actions.append(action) }
        }
        #expect(actions == [.fire(startsAt: 0), .resolve(startsAt: 0, endsAt: 1800)])
    }
}
