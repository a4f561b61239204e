@testable import Integrity
import Testing

@Suite struct PrometheusExpositionTests {
    @Test func familiesAreWrittenWithHelpTypeAndEscapedLabels() {
        var out = PrometheusExposition()
        out.family("vigil_things_total", .counter, help: "Things with a \\ and a\nnewline.")
        out.sample(["reason": "a \"quoted\" back\\slash\nnewline", "code": "368"], 3)
        out.sample(["reason": "é"], 0)
        out.family("vigil_level", .gauge, help: "Level.")
        out.sample(0.25)
        #expect(out.text == """
            # HELP vigil_things_total Things with a \\\\ and a\\nnewline.
            # TYPE vigil_things_total counter
            vigil_things_total{reason="a \\"quoted\\" back\\\\slash\\nnewline",code="368"} 3
            vigil_things_total{reason="é"} 0
            # HELP vigil_level Level.
            # TYPE vigil_level gauge
            vigil_level 0.25

            """)
    }

    @Test(arguments: [
        (1.0, "1"), (-7, "-7"), (1e15, "1000000000000000"), (0.1, "0.1"), (1e-5, "1e-05"),
        (.nan, "NaN"), (.infinity, "+Inf"), (-.infinity, "-Inf"), (1e300, "1e+300"),
    ])
    func valuesAreFormattedForPrometheusParsers(value: Double, text: String) {
        #expect(PrometheusExposition.format(value) == text)
    }

    @Test func namesFollowPrometheusRules() {
        #expect(PrometheusExposition.isValidMetricName("vigil:rate_5m"))
        #expect(!PrometheusExposition.isValidMetricName("5xx_total") && !PrometheusExposition.isValidMetricName("a-b"))
        #expect(PrometheusExposition.isValidLabelName("quality_rating"))
        #expect(!PrometheusExposition.isValidLabelName("__name__") && !PrometheusExposition.isValidLabelName("a:b"))
        #expect(!PrometheusExposition.isValidLabelName(""))
    }

    @Test func aCounterNotEndingInTotalIsAProgrammerError() async {
        await #expect(processExitsWith: .failure) {
            var out = PrometheusExposition()
            out.family("vigil_things", .counter, help: "x")
        }
    }
}
