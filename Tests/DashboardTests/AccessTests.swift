import Dashboard
import Testing

@Suite("Dashboard: token and event stream")
struct AccessTests {
    @Test("the token is admitted from the header or the query, nothing else")
    func token() throws {
        let token = try #require(AccessToken(fileContents: "s3cret/+=\n"))
        #expect(token.admits(authorization: "Bearer s3cret/+=", query: nil))
        #expect(token.admits(authorization: "bearer s3cret/+=", query: nil))
        #expect(token.admits(authorization: nil, query: "since=4&token=s3cret%2F%2B%3D"))
        #expect(token.admits(authorization: nil, query: "token=s3cret/+="))
        #expect(!token.admits(authorization: nil, query: nil))
        #expect(!token.admits(authorization: "Bearer s3cret", query: nil))
        #expect(!token.admits(authorization: "Bearer s3cret/+==", query: nil))
        #expect(!token.admits(authorization: "Basic s3cret/+=", query: "token="))
        #expect(!token.admits(authorization: "Bearer ", query: "tokens=s3cret/+="))
        #expect(AccessToken(fileContents: " \n") == nil)
    }

    @Test("events are framed as text/event-stream wants, one data line per line")
    func frames() {
        #expect(String(decoding: ServerSentEvent.frame(event: "update", data: "{\"a\":1}"), as: UTF8.self)
                == "event: update\ndata: {\"a\":1}\n\n")
        #expect(String(decoding: ServerSentEvent.frame(event: "x", data: "a\nb"), as: UTF8.self)
                == "event: x\ndata: a\ndata: b\n\n")
        #expect(ServerSentEvent.heartbeat.first == UInt8(ascii: ":"))
    }
}
