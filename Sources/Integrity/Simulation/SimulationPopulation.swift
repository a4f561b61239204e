/// The simulated users: indices 0..<size, each with a country and an E.164 number.
///
/// A user's country is its index's slot (index mod 20); within a country users are numbered by a
/// local index, so a business can draw customers of its own country. Indices at or past `size` are
/// *ghosts*: numbers on purchased lists that are not on the platform (messages to them are never
/// delivered). Numbers come from a bijective scramble of the index, so distinct users — and ghosts —
/// always have distinct numbers, with no table in memory.
struct SimulationPopulation: Sendable {
    /// How many real users there are (a multiple of 20).
    let size: Int

    /// The largest index a number can be made for (the scramble's modulus).
    static let indexLimit = 100_000_000

    /// A population of about `size` users (rounded up to a multiple of 20).
    init(size: Int) {
        let slots = SimulationCountry.slotCount
        self.size = max(slots, (size + slots - 1) / slots * slots)
        precondition(self.size * 2 <= Self.indexLimit, "population too large for the number space")
    }

    /// The country index of user (or ghost) `user`.
    func country(ofUser user: Int) -> Int { SimulationCountry.bySlot[user % SimulationCountry.slotCount] }

    /// The UTC offset of user `user`'s country, in minutes.
    func utcOffsetMinutes(ofUser user: Int) -> Int { SimulationCountry.all[country(ofUser: user)].utcOffsetMinutes }

    /// How many real users live in `country`.
    func userCount(in country: Int) -> Int {
        SimulationCountry.all[country].slots.count * (size / SimulationCountry.slotCount)
    }

    /// The global index of the `local`-th user of `country`; `local` at or past
    /// ``userCount(in:)`` gives that country's ghosts.
    func user(local: Int, in country: Int) -> Int {
        let slots = SimulationCountry.all[country].slots
        return (local / slots.count) * SimulationCountry.slotCount + slots.lowerBound + local % slots.count
    }

    /// Whether `user` is a real user (not a ghost number from a purchased list).
    func isRegistered(_ user: Int) -> Bool { user < size }

    /// Appends user `user`'s E.164 number.
    func appendNumber(ofUser user: Int, to buffer: inout [UInt8]) {
        let place = SimulationCountry.all[country(ofUser: user)]
        Self.appendNumber(scrambling: user, multiplier: 48_271_933, offset: 7_919_111, place.callingCode, place.userPrefixes, to: &buffer)
    }

    /// The E.164 number of business `business` in `country`: disjoint prefixes keep it apart from users.
    static func businessNumber(_ business: Int, in country: Int) -> [UInt8] {
        let place = SimulationCountry.all[country]
        var buffer: [UInt8] = []
        appendNumber(scrambling: business, multiplier: 69_069_001, offset: 31_337_777, place.callingCode, place.businessPrefixes, to: &buffer)
        return buffer
    }

    /// "+", the calling code, one of ten prefixes and seven digits, from a bijection of `index` on
    /// 0..<10⁸: `multiplier` is coprime with 10⁸, so distinct indices give distinct numbers.
    private static func appendNumber(
        scrambling index: Int, multiplier: Int, offset: Int,
        _ callingCode: [UInt8], _ prefixes: [[UInt8]], to buffer: inout [UInt8]
    ) {
        // index < 10⁸ and multiplier < 10⁸, so the product stays below 10¹⁶ < 2⁶³.
        let scrambled = (index % indexLimit * multiplier + offset) % indexLimit
        buffer.append(UInt8(ascii: "+"))
        buffer.append(contentsOf: callingCode)
        buffer.append(contentsOf: prefixes[scrambled / 10_000_000])
        var digits = scrambled % 10_000_000
        var seven = [UInt8](repeating: UInt8(ascii: "0"), count: 7)
        var position = 6
        while digits > 0 {
            seven[position] = UInt8(ascii: "0") + UInt8(digits % 10)
            digits /= 10
            position -= 1
        }
        buffer.append(contentsOf: seven)
    }
}

/// A bijection of 0..<`modulus` (a ↦ (a·multiplier + offset) mod modulus) used to draw distinct
/// users — a business's customers, a purchased list — without storing them.
struct SimulationPermutation: Sendable {
    /// The size of the permuted range.
    let modulus: Int
    private let multiplier: Int
    private let offset: Int

    /// A random permutation of 0..<`modulus` (modulus ≥ 1).
    init(modulus: Int, random: inout SimulationRandom) {
        precondition(modulus >= 1, "empty permutation")
        self.modulus = modulus
        offset = random.below(modulus)
        var candidate = modulus / 3 + random.below(max(1, modulus / 3)) + 1
        while Self.greatestCommonDivisor(candidate, modulus) != 1 { candidate += 1 }
        multiplier = candidate % modulus == 0 ? 1 : candidate % modulus
    }

    /// The image of `index` (any non-negative integer; reduced modulo ``modulus``).
    func callAsFunction(_ index: Int) -> Int {
        // Both factors are below modulus ≤ 10⁸, so the product stays below 2⁶³.
        (index % modulus * multiplier + offset) % modulus
    }

    private static func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
