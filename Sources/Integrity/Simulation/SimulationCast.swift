/// Who takes part in a scenario: the population, the background businesses and the featured ones,
/// each actor with its own random stream (so the background is the same in every scenario for a
/// given seed, and adding a featured business changes nothing else).
struct SimulationCast {
    /// The emitter holding the population and the business table.
    var emitter: SimulationEmitter
    /// The generators, in a fixed order.
    var actors: [any SimulationActor]

    /// Users at scale 1.
    static let usersPerScale = 400_000.0
    /// Background businesses at scale 1.
    static let backgroundPerScale = 300.0
    /// Featured businesses of each behaviour in a scenario.
    static func instances(of behaviour: SimulationBehaviour) -> Int {
        switch behaviour {
        case .honestRetailer, .utilitySender, .reportBombingTarget: 2
        case .bulkBlaster, .slowDripSpammer, .coldListMarketer: 3
        case .background: 0
        }
    }

    /// The cast of `parameters`' scenario at its scale.
    init(_ parameters: SimulationParameters) {
        let scale = parameters.scale
        let seed = parameters.seed
        let users = min(40_000_000, max(20_000, Int(Self.usersPerScale * scale)))
        emitter = SimulationEmitter(population: SimulationPopulation(size: users))
        actors = []
        let background = max(12, Int((Self.backgroundPerScale * scale).rounded()))
        for index in 0..<background {
            actors.append(HonestBusinessActor.background(into: &emitter, random: .stream(UInt64(index), of: seed)))
        }
        // Featured streams live far from the background's, one per behaviour and instance.
        for behaviour in parameters.scenario.featured {
            for instance in 0..<Self.instances(of: behaviour) {
                let stream = SimulationRandom.stream(1 << 40 | UInt64(Self.streamBase(behaviour)) << 8 | UInt64(instance), of: seed)
                addFeatured(behaviour, instance: instance, scale: scale, random: stream)
            }
        }
    }

    private mutating func addFeatured(_ behaviour: SimulationBehaviour, instance: Int, scale: Double, random: SimulationRandom) {
        switch behaviour {
        case .background:
            break
        case .honestRetailer:
            actors.append(HonestBusinessActor.retailer(instance: instance, scale: scale, into: &emitter, random: random))
        case .utilitySender:
            actors.append(UtilitySenderActor(instance: instance, scale: scale, into: &emitter, random: random))
        case .bulkBlaster:
            actors.append(BulkBlasterActor(instance: instance, scale: scale, into: &emitter, random: random))
        case .slowDripSpammer:
            actors.append(SlowDripActor(instance: instance, scale: scale, into: &emitter, random: random))
        case .coldListMarketer:
            let sides = ColdListActor.make(instance: instance, scale: scale, into: &emitter, random: random)
            actors.append(sides.genuineSide)
            actors.append(sides.coldSide)
        case .reportBombingTarget:
            var streams = random
            let target = HonestBusinessActor.bombingTarget(
                instance: instance, scale: scale, into: &emitter, random: SimulationRandom(seed: streams.next()))
            let crowd = ReportCrowdActor(
                instance: instance, scale: scale, target: target.business, customers: target.customers,
                population: emitter.population, random: SimulationRandom(seed: streams.next()))
            actors.append(target)
            actors.append(crowd)
        }
    }

    private static func streamBase(_ behaviour: SimulationBehaviour) -> Int {
        SimulationBehaviour.allCases.firstIndex(of: behaviour) ?? 0
    }
}
