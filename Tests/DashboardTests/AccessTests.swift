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

    @Test("the token followed by 256·k extra bytes is refused (the length difference is not folded into a byte)")
    func longerTokenRefused() throws {
        let token = try #require(AccessToken(fileContents: "t0ken\n"))
        for extra in [1, 255, 256, 512, 768, 4096] {
            let offered = "t0ken" + String(repeating: "\0", count: extra)
            #expect(!token.admits(authorization: "Bearer " + offered, query: nil), "\(extra) extra bytes")
            #expect(!token.admits(authorization: nil, query: nil, cookie: "t0ken" + String(repeating: "A", count: extra)))
        }
        #expect(token.admits(authorization: nil, query: nil, cookie: "t0ken"))
    }

    @Test("the cookie: HttpOnly, SameSite=Strict, any token encodes and reads back")
    func cookie() throws {
        let token = try #require(AccessToken(fileContents: "a b;c=d%é\n"))
        #expect(token.cookie.hasPrefix("netroot_token=a%20b%3Bc%3Dd%25%C3%A9;"))
        #expect(token.cookie.contains("HttpOnly") && token.cookie.contains("SameSite=Strict"))
        let value = AccessToken.cookieValue(in: ["theme=dark; netroot_token=a%20b%3Bc%3Dd%25%C3%A9"])
        #expect(token.admits(authorization: nil, query: nil, cookie: value))
        #expect(AccessToken.removingQueryValue("token", from: "token=x&node=n1") == "node=n1")
        #expect(AccessToken.removingQueryValue("token", from: "token=x") == nil)
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
