import Foundation
import Testing

@testable import KubeModels

@Suite("KubeJSONDecoder")
struct KubeJSONDecoderTests {
    /// Decodes `text` with Foundation's JSONDecoder and with KubeJSONDecoder.
    func both<T: Decodable>(_ type: T.Type, _ text: String) throws -> (foundation: T, fast: T) {
        let data = Data(text.utf8)
        return (try JSONDecoder().decode(T.self, from: data), try KubeJSONDecoder().decode(T.self, from: data))
    }

    @Test func everyFixtureDecodesTheSameAsWithJSONDecoder() throws {
        let node = try both(Node.self, Fixtures.node)
        #expect(node.fast == node.foundation)
        let pod = try both(Pod.self, Fixtures.pod)
        #expect(pod.fast == pod.foundation)
        let summary = try both(PodSummary.self, Fixtures.pod)
        #expect(summary.fast == summary.foundation)
        #expect(summary.fast == PodSummary(pod.fast))
        let pdb = try both(PodDisruptionBudget.self, Fixtures.pdb)
        #expect(pdb.fast == pdb.foundation)
        let event = try both(CoreV1Event.self, Fixtures.coreEvent)
        #expect(event.fast == event.foundation)
        let eventV1 = try both(EventsV1Event.self, Fixtures.eventsV1Event)
        #expect(eventV1.fast == eventV1.foundation)
        let lease = try both(Lease.self, Fixtures.lease)
        #expect(lease.fast == lease.foundation)
        let daemonSet = try both(DaemonSet.self, Fixtures.daemonSet)
        #expect(daemonSet.fast == daemonSet.foundation)
        for fixture in [Fixtures.node, Fixtures.pod, Fixtures.pdb, Fixtures.coreEvent, Fixtures.lease, Fixtures.daemonSet] {
            let value = try both(JSONValue.self, fixture)
            #expect(value.fast == value.foundation)
        }
    }

    @Test func listsAndWatchEventsDecodeTheSame() throws {
        let list = "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"77\",\"continue\":\"abc\"},"
            + "\"items\":[\(Fixtures.pod),\(Fixtures.pod)]}"
        let pods = try both(ObjectList<Pod>.self, list)
        #expect(pods.fast == pods.foundation)
        #expect(pods.fast.items.count == 2 && pods.fast.metadata.continue == "abc")
        let summaries = try both(ObjectList<PodSummary>.self, list)
        #expect(summaries.fast == summaries.foundation)
        let empty = try both(ObjectList<Pod>.self, #"{"kind":"PodList","items":null,"metadata":{}}"#)
        #expect(empty.fast == empty.foundation && empty.fast.items.isEmpty)

        for type in ["ADDED", "MODIFIED", "DELETED"] {
            let event = try both(WatchEvent<Pod>.self, "{\"type\":\"\(type)\",\"object\":\(Fixtures.pod)}")
            #expect(event.fast == event.foundation)
            let slim = try both(WatchEvent<PodSummary>.self, "{\"type\":\"\(type)\",\"object\":\(Fixtures.pod)}")
            #expect(slim.fast == slim.foundation)
        }
        let bookmark = try both(
            WatchEvent<Pod>.self, #"{"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"12"}}}"#)
        #expect(bookmark.fast == bookmark.foundation)
        let error = try both(
            WatchEvent<Pod>.self,
            #"{"type":"ERROR","object":{"kind":"Status","status":"Failure","reason":"Expired","code":410,"message":"too old"}}"#)
        #expect(error.fast == error.foundation)
    }

    @Test func unusualButValidJSONDecodesTheSame() throws {
        let documents = [
            #"{"s":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t","e":"","u":"日本"}"#,
            #"[0,-0,1,-1,1.5,-2.25e3,1E2,1.0,9223372036854775807,-9223372036854775808,12345678901234567890]"#,
            #"[true,false,null,[],{},[[]],{"a":{}}]"#,
            " \n\t{ \"spaced\" : [ 1 , 2 ] } \r\n",
            #""just a string""#,
            "42",
        ]
        for document in documents {
            let data = Data(document.utf8)
            let foundation = try? JSONDecoder().decode(JSONValue.self, from: data)
            let fast = try? KubeJSONDecoder().decode(JSONValue.self, from: data)
            #expect(fast == foundation, "\(document)")
            #expect(fast != nil, "\(document)")
        }
        // Integer rules match JSONDecoder's: exact values fit, others are errors.
        for text in ["1.0", "1e2", "2147483647", "2147483648", "-2147483649", "1.5", "\"1\"", "null"] {
            let data = Data(text.utf8)
            let foundation = try? JSONDecoder().decode(Int32.self, from: data)
            let fast = try? KubeJSONDecoder().decode(Int32.self, from: data)
            #expect(fast == foundation, "\(text)")
        }
        for text in ["1", "-1", "0.5", "18446744073709551615", "18446744073709551616"] {
            let data = Data(text.utf8)
            #expect((try? KubeJSONDecoder().decode(UInt64.self, from: data)) == (try? JSONDecoder().decode(UInt64.self, from: data)), "\(text)")
            #expect((try? KubeJSONDecoder().decode(Double.self, from: data)) == (try? JSONDecoder().decode(Double.self, from: data)), "\(text)")
        }
    }

    @Test func malformedTextIsAClearErrorNamingTheByte() throws {
        let cases: [(String, Int)] = [
            ("", 0),
            ("   ", 3),
            ("{", 1),
            (#"{"a":1,}"#, 7),
            (#"{"a" 1}"#, 5),
            (#"{a:1}"#, 1),
            ("[1,2", 4),
            ("[1 2]", 3),
            (#""abc"#, 4),
            (#""a\qb""#, 3),
            (#""\u12G4""#, 5),
            ("\"tab\there\"", 4),
            ("tru", 0),
            ("nul", 0),
            ("01", 1),
            ("-", 1),
            ("1.", 2),
            ("1e", 2),
            ("{} x", 3),
            ("+1", 0),
        ]
        for (text, offset) in cases {
            do {
                _ = try KubeJSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
                Issue.record("accepted malformed \(text)")
            } catch let DecodingError.dataCorrupted(context) {
                let syntax = context.underlyingError as? JSONSyntaxError
                #expect(syntax?.offset == offset, "\(text): \(String(describing: syntax))")
                #expect(context.debugDescription.contains("not valid JSON"))
            } catch {
                Issue.record("unexpected error for \(text): \(error)")
            }
        }
    }

    @Test func deepNestingAndBadUTF8AreRejectedWithoutCrashing() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: DecodingError.self) { try KubeJSONDecoder().decode(JSONValue.self, from: Data(deep.utf8)) }
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: Never.self) { try KubeJSONDecoder().decode(JSONValue.self, from: Data(fine.utf8)) }
        let badUTF8: [UInt8] = Array(#"{"name":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: DecodingError.self) { try KubeJSONDecoder().decode([String: String].self, from: badUTF8) }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([String: String].self, from: Data(badUTF8)) }
    }

    @Test func typeErrorsCarryTheCodingPath() throws {
        func path(_ error: any Error) -> String {
            let context: DecodingError.Context? =
                switch error as? DecodingError {
                case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c): c
                default: nil
                }
            return context?.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined() ?? "?"
        }
        // Expected paths where both decoders report one; elsewhere (errors the models rethrow
        // without a path) the two must simply agree.
        let cases: [(String, String?)] = [
            (#"{"metadata":{"name":"p"},"spec":{"containers":[],"priority":"high"}}"#, ".spec.priority"),
            (#"{"spec":{"containers":[{"name":"a"},{"name":7}]}}"#, nil),
            (#"{"spec":{"containers":[{"name":"a","resources":{"requests":{"cpu":"lots"}}}]}}"#, nil),
            (#"{"spec":{"containers":[{}]}}"#, nil),
            (#"{"metadata":{"creationTimestamp":"yesterday"}}"#, ".metadata.creationTimestamp"),
            (#"{"spec":{"containers":[],"priority":99999999999}}"#, nil),
            (#"{"kind":"Node"}"#, ".kind"),
        ]
        for (text, expected) in cases {
            let data = Data(text.utf8)
            var foundationPath = "none"
            do { _ = try JSONDecoder().decode(Pod.self, from: data) } catch { foundationPath = path(error) }
            do {
                _ = try KubeJSONDecoder().decode(Pod.self, from: data)
                Issue.record("accepted \(text)")
            } catch {
                if let expected { #expect(path(error) == expected, "\(text): \(error)") }
                #expect(path(error) == foundationPath, "\(text)")
            }
        }
        #expect(throws: DecodingError.self) { try KubeJSONDecoder().decode(Pod.self, from: Data("[]".utf8)) }
        #expect(throws: DecodingError.self) { try KubeJSONDecoder().decode([Pod].self, from: Data("{}".utf8)) }
        #expect(throws: DecodingError.self) { try KubeJSONDecoder().decode(String.self, from: Data("null".utf8)) }
    }
}
