import Foundation
import Testing
@testable import Integrity

@Suite struct SimulationLabelsTests {
    @Test(arguments: SimulationScenario.allCases)
    func labelsCoverExactlyTheBusinessesPresent(_ scenario: SimulationScenario) throws {
        let workload = try SimulatedWorkload.load(scenario)
        let labeled = workload.labels.businesses.map(\.business)
        #expect(Set(labeled).count == labeled.count, "a business is labeled twice")
        #expect(Set(labeled) == Set(workload.events.map(\.business)))
    }

    @Test(arguments: SimulationScenario.allCases)
    func featuredBehavioursArePresentAndLabeledConsistently(_ scenario: SimulationScenario) throws {
        let workload = try SimulatedWorkload.load(scenario)
        for behaviour in scenario.featured {
            #expect(workload.businesses(behaviour).count == SimulationCast.instances(of: behaviour), "\(behaviour)")
        }
        #expect(workload.businesses(.background).count >= 12)
        for business in workload.labels.businesses {
            #expect(business.expectCritical == business.behaviour.isAbusive)
            #expect(business.label == (business.behaviour.isAbusive ? "abusive" : "honest"))
            #expect(business.window.lowerBound >= workload.labels.start && business.window.upperBound < workload.labels.end)
        }
        let abusive = workload.labels.businesses.filter(\.expectCritical).count
        #expect(abusive == scenario.featured.filter(\.isAbusive).map(SimulationCast.instances(of:)).reduce(0, +))
    }

    @Test func sidecarIsStrictJSON() throws {
        let workload = try SimulatedWorkload.load(.mixed)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(workload.labelsJSON.utf8)) as? [String: Any])
        #expect(object["scenario"] as? String == "mixed")
        #expect(object["seed"] as? Int == 1)
        #expect(Set(object.keys) == ["scenario", "seed", "scale", "start", "end", "businesses"])
        let businesses = try #require(object["businesses"] as? [[String: Any]])
        #expect(businesses.count == workload.labels.businesses.count)
        for entry in businesses {
            #expect(Set(entry.keys) == ["business", "label", "behaviour", "expect_critical", "window"])
            let label = try #require(entry["label"] as? String)
            let behaviour = try #require((entry["behaviour"] as? String).flatMap(SimulationBehaviour.init(rawValue:)))
            #expect(label == (behaviour.isAbusive ? "abusive" : "honest"))
            #expect((entry["expect_critical"] as? Bool) == behaviour.isAbusive)
            let window = try #require(entry["window"] as? [Int64])
            #expect(window.count == 2 && window[0] <= window[1])
        }
    }

    @Test func theWindowCoversTheLabeledBehaviour() throws {
        let workload = try SimulatedWorkload.load(.mixed)
        for business in workload.labels.businesses where business.behaviour == .bulkBlaster {
            let sends = workload.events(of: business.business).filter(\.isBusinessMessage).map(\.t)
            #expect(sends.first == business.window.lowerBound)
            #expect(sends.last == business.window.upperBound)
        }
        for business in workload.labels.businesses where business.behaviour == .reportBombingTarget {
            let reports = workload.events(of: business.business).filter { $0.kind == "report" }.map(\.t)
            #expect(reports.first == business.window.lowerBound)
            #expect(reports.last == business.window.upperBound)
        }
    }
}
