import Foundation
import KubeModels
import Testing

@Suite struct JSONValueTests {
    @Test func everyKindOfValueDecodesToItsCase() throws {
        let text = #"{"s":"x","i":42,"neg":-7,"d":1.5,"t":true,"f":false,"n":null,"a":[1,"two",[3],{"k":"v"}],"o":{"nested":{"deep":0}}}"#
        let value = try JSONValue.parse(Data(text.utf8))
        #expect(value == [
            "s": "x", "i": 42, "neg": -7, "d": 1.5, "t": true, "f": false, "n": nil,
            "a": [1, "two", [3], ["k": "v"]], "o": ["nested": ["deep": 0]],
        ])
    }

    @Test func integersStayIntegersAndRoundTripExactly() throws {
        let text = #"{"big":9007199254740993,"zero":0}"#
        let value = try JSONValue.parse(Data(text.utf8))
        #expect(value["big"] == .int(9_007_199_254_740_993))
        #expect(String(decoding: try value.serialized(), as: UTF8.self) == text)
    }

    @Test func emptyContainersKeepTheirKind() throws {
        let value = try JSONValue.parse(Data(#"{"a":[],"o":{}}"#.utf8))
        #expect(value["a"] == .array([]))
        #expect(value["o"] == .object([:]))
    }

    @Test func malformedTextIsAnErrorNotACrash() {
        #expect(throws: (any Error).self) { try JSONValue.parse(Data(#"{"a":"#.utf8)) }
    }
}
