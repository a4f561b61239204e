/// One generator of a simulation: a business's behaviour (or a crowd's), driven slice by slice.
///
/// `generate` starts every act whose first event lies in `slice` and pushes its whole cascade;
/// it must never push an event before `slice.lowerBound` (the queue checks).
protocol SimulationActor {
    /// Emits the acts that start in `slice`.
    mutating func generate(in slice: Range<Int64>, into emitter: inout SimulationEmitter)
}

/// The customers of one business: distinct users of its country drawn through a permutation, in
/// the order they first write to it. Customers 0..<`written` have written at least once — they
/// opted in — and are the only ones an honest business markets to.
struct SimulationCustomerBase: Sendable {
    /// The business's (and its customers') country.
    let country: Int
    /// How many customers it has in all.
    let size: Int
    /// Customers who have written so far (a prefix of 0..<size).
    var written = 0
    /// Customers who blocked the business: it no longer messages them.
    var blocked: Set<Int> = []
    private let population: SimulationPopulation
    private let permutation: SimulationPermutation

    /// `size` customers from `country` (capped at half the country's users).
    init(size: Int, country: Int, population: SimulationPopulation, random: inout SimulationRandom) {
        let available = population.userCount(in: country)
        self.country = country
        self.size = max(1, min(size, available / 2))
        self.population = population
        permutation = SimulationPermutation(modulus: available, random: &random)
    }

    /// The user index of customer `customer`. Positions at or past ``size`` are users of the same
    /// country who are *not* customers (the report-bombing crowd comes from there).
    func user(_ customer: Int) -> Int { population.user(local: permutation(customer), in: country) }

    /// Picks the customer who writes next: uniform over all customers, so the first time someone
    /// new writes they join the written prefix.
    mutating func nextWriter(random: inout SimulationRandom) -> Int {
        let pick = random.below(size)
        guard pick >= written else { return pick }
        written += 1
        return written - 1
    }
}
