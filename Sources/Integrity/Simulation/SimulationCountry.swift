/// A country of the simulated population: calling code, time zone, and the number ranges its
/// users and businesses are drawn from.
struct SimulationCountry: Sendable {
    /// ISO 3166 code, for people reading the code.
    let code: String
    /// The E.164 country calling code, as ASCII digits.
    let callingCode: [UInt8]
    /// The fixed offset from UTC (no daylight saving: the week is in early March).
    let utcOffsetMinutes: Int
    /// Ten national prefixes of equal length for users; a number is prefix + 7 digits.
    let userPrefixes: [[UInt8]]
    /// Ten national prefixes for businesses, disjoint from the users' ones.
    let businessPrefixes: [[UInt8]]
    /// Which of the population's 20 slots belong to this country (its share of users, in 5 % steps).
    let slots: Range<Int>

    /// The countries, in slot order: 25 % US, 30 % India, 20 % Brazil, 10 % UK, 15 % Germany.
    static let all: [SimulationCountry] = [
        SimulationCountry(
            code: "US", callingCode: "1", utcOffsetMinutes: -300,
            userPrefixes: ["212", "213", "305", "312", "404", "415", "512", "617", "646", "718"],
            businessPrefixes: ["206", "303", "310", "469", "503", "602", "650", "702", "786", "929"],
            slots: 0..<5),
        SimulationCountry(
            code: "IN", callingCode: "91", utcOffsetMinutes: 330,
            userPrefixes: ["981", "982", "983", "984", "985", "986", "987", "988", "989", "990"],
            businessPrefixes: ["620", "630", "700", "720", "730", "740", "750", "760", "770", "780"],
            slots: 5..<11),
        SimulationCountry(
            code: "BR", callingCode: "55", utcOffsetMinutes: -180,
            userPrefixes: ["1191", "1192", "1193", "1194", "1195", "1196", "1197", "1198", "1199", "2199"],
            businessPrefixes: ["3191", "3192", "3193", "4191", "4192", "5191", "6191", "7191", "8191", "8591"],
            slots: 11..<15),
        SimulationCountry(
            code: "GB", callingCode: "44", utcOffsetMinutes: 0,
            userPrefixes: ["740", "741", "742", "743", "744", "745", "746", "747", "748", "749"],
            businessPrefixes: ["750", "751", "752", "753", "754", "770", "771", "772", "773", "774"],
            slots: 15..<17),
        SimulationCountry(
            code: "DE", callingCode: "49", utcOffsetMinutes: 60,
            userPrefixes: ["151", "152", "157", "159", "160", "162", "163", "170", "171", "172"],
            businessPrefixes: ["173", "174", "175", "176", "177", "178", "179", "155", "156", "161"],
            slots: 17..<20),
    ]

    /// The population's slot count: a user's country is its index modulo this.
    static let slotCount = 20

    /// Country indices by the slot they own.
    static let bySlot: [Int] = {
        var table = [Int](repeating: 0, count: slotCount)
        for (index, country) in all.enumerated() {
            for slot in country.slots { table[slot] = index }
        }
        return table
    }()

    /// Countries weighted by population share, for placing businesses.
    static let byShare = SimulationWeights(all.indices.map { ($0, Double(all[$0].slots.count)) })

    private init(
        code: String, callingCode: String, utcOffsetMinutes: Int,
        userPrefixes: [String], businessPrefixes: [String], slots: Range<Int>
    ) {
        self.code = code
        self.callingCode = Array(callingCode.utf8)
        self.utcOffsetMinutes = utcOffsetMinutes
        self.userPrefixes = userPrefixes.map { Array($0.utf8) }
        self.businessPrefixes = businessPrefixes.map { Array($0.utf8) }
        self.slots = slots
    }
}
