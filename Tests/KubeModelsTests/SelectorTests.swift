import Foundation
import Testing

@testable import KubeModels

@Suite("Label selectors (structured)")
struct LabelSelectorTests {
    let labels = ["app": "web", "tier": "front", "env": "prod"]

    @Test func emptySelectorMatchesEverything() {
        #expect(LabelSelector().matches(labels))
        #expect(LabelSelector().matches(nil))
        #expect(LabelSelector(matchLabels: [:], matchExpressions: []).isEmpty)
    }

    @Test func matchLabelsNeedEveryPair() {
        #expect(LabelSelector(matchLabels: ["app": "web", "env": "prod"]).matches(labels))
        #expect(!LabelSelector(matchLabels: ["app": "web", "env": "dev"]).matches(labels))
        #expect(!LabelSelector(matchLabels: ["app": "web"]).matches(nil))
    }

    @Test func eachExpressionOperator() {
        func sel(_ op: LabelSelectorOperator, _ key: String, _ values: [String]? = nil) -> LabelSelector {
            LabelSelector(matchExpressions: [LabelSelectorRequirement(key: key, operator: op, values: values)])
        }
        #expect(sel(.in, "env", ["prod", "staging"]).matches(labels))
        #expect(!sel(.in, "env", ["dev"]).matches(labels))
        #expect(!sel(.in, "missing", ["x"]).matches(labels))
        #expect(sel(.notIn, "env", ["dev"]).matches(labels))
        #expect(!sel(.notIn, "env", ["prod"]).matches(labels))
        #expect(sel(.notIn, "missing", ["x"]).matches(labels))
        #expect(sel(.exists, "app").matches(labels))
        #expect(!sel(.exists, "missing").matches(labels))
        #expect(sel(.doesNotExist, "missing").matches(labels))
        #expect(!sel(.doesNotExist, "app").matches(labels))
    }

    @Test func decodesAndConvertsToStringForm() throws {
        let json =
            #"{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"env","operator":"NotIn","values":["dev","qa"]}]}"#
        let selector = try JSONDecoder().decode(LabelSelector.self, from: Data(json.utf8))
        #expect(selector.query.description == "app=web,env notin (dev,qa)")
        #expect(selector.query.matches(labels) == selector.matches(labels))
    }
}

@Suite("Label selectors (string form)")
struct LabelQueryTests {
    let labels = ["app": "web", "env": "prod", "cores": "4"]

    @Test(
        "each operator parses, matches and renders",
        arguments: [
            ("app=web", true, "app=web"), ("app==web", true, "app==web"), ("app!=web", false, "app!=web"),
            ("app!=db", true, "app!=db"), ("missing!=x", true, "missing!=x"),
            ("env in (prod,staging)", true, "env in (prod,staging)"),
            ("env in (staging, prod)", true, "env in (prod,staging)"),
            ("env notin (prod)", false, "env notin (prod)"), ("missing notin (x)", true, "missing notin (x)"),
            ("app", true, "app"), ("!app", false, "!app"), ("!missing", true, "!missing"),
            ("cores>3", true, "cores>3"), ("cores>4", false, "cores>4"), ("cores<5", true, "cores<5"),
            ("app>3", false, "app>3"), ("missing<3", false, "missing<3"),
            ("", true, ""), ("  ", true, ""),
            ("env=prod,app=web", true, "app=web,env=prod"), ("app=web, env=dev", false, "app=web,env=dev"),
            ("example.com/role=x", false, "example.com/role=x"), ("app=", false, "app="),
        ] as [(String, Bool, String)])
    func operators(text: String, matches: Bool, rendered: String) throws {
        let query = try LabelQuery(parsing: text)
        #expect(query.matches(labels) == matches)
        #expect(query.description == rendered)
        #expect(try LabelQuery(parsing: query.description) == query)
    }

    @Test func emptyValueMatchesEmptyLabel() throws {
        #expect(try LabelQuery(parsing: "x=").matches(["x": ""]))
        #expect(try LabelQuery(parsing: "x in (a,,b)").matches(["x": ""]))
    }

    @Test(
        "malformed selectors report the column and expectation",
        arguments: [
            ("app=web,", 9, "a label key"), ("a in (x", 8, "',' or ')'"), ("a in x", 6, "'('"),
            ("=a", 1, "a label key"), ("a b", 3, "an operator"), ("a=b c", 5, "',' or end"), ("a in ()", 3, "empty"),
            ("a>x", 3, "not an integer"), ("-bad=x", 1, "invalid label key"), ("a=-x", 3, "invalid label value"),
            ("a/b/c", 1, "at most one '/'"), ("a==(", 4, "a label value"),
        ] as [(String, Int, String)])
    func malformed(text: String, column: Int, expected: String) {
        do {
            _ = try LabelQuery(parsing: text)
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.description.contains("column \(column)"), "\(error)")
            #expect(error.description.contains(expected), "\(error)")
        }
    }
}

@Suite("Field selectors")
struct FieldSelectorTests {
    let fields = ["spec.nodeName": "node-1", "status.phase": "Running", "metadata.name": "a,b"]

    func lookup(_ field: String) -> String? { fields[field] }

    @Test func equalsDoubleEqualsAndNotEquals() throws {
        #expect(try FieldSelector(parsing: "spec.nodeName=node-1").matches(lookup))
        #expect(try FieldSelector(parsing: "spec.nodeName==node-1").matches(lookup))
        #expect(!(try FieldSelector(parsing: "spec.nodeName!=node-1").matches(lookup)))
        #expect(try FieldSelector(parsing: "spec.nodeName=node-1,status.phase!=Succeeded").matches(lookup))
        #expect(!(try FieldSelector(parsing: "spec.nodeName=node-1,status.phase=Pending").matches(lookup)))
        #expect(try FieldSelector(parsing: "").matches(lookup))
    }

    @Test func missingFieldComparesAsEmpty() throws {
        #expect(try FieldSelector(parsing: "spec.nodeName=").matches { _ in nil })
        #expect(try FieldSelector(parsing: "spec.nodeName!=").matches(lookup))
    }

    @Test func escapesRoundTrip() throws {
        let selector = try FieldSelector(parsing: #"metadata.name=a\,b"#)
        #expect(selector.requirements == [FieldRequirement(field: "metadata.name", operator: .equals, value: "a,b")])
        #expect(selector.matches(lookup))
        #expect(selector.description == #"metadata.name=a\,b"#)
    }

    @Test func unsupportedFieldsAreNamed() throws {
        let selector = try FieldSelector(parsing: "spec.nodeName=a,spec.bogus=b")
        #expect(
            throws: SelectorError.unsupportedField(field: "spec.bogus", supported: ["metadata.name", "spec.nodeName"])
        ) {
            try selector.validate(supportedFields: ["spec.nodeName", "metadata.name"])
        }
    }

    @Test(arguments: ["spec.nodeName", "=x", "a=b,c", #"a=b\q"#])
    func malformedTermsThrow(text: String) {
        #expect(throws: SelectorError.self) { try FieldSelector(parsing: text) }
    }
}
