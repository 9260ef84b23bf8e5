import Inventory
import Testing

/// One parser and one renderer for option 17, the checker and the NFS exports.
@Suite struct RootPathTests {
    @Test(arguments: ["nfs:192.168.1.200:/", "nfs4:10.0.0.2:/srv/root", "nfs:storage.cluster.local:/export/rhel6",
                      "nfs:10.0.0.2:/srv/root:vers=3,nolock", "iscsi:10.0.0.9::::iqn.2001-04.com.example:root",
                      "/dev/nfs"])
    func rendersAsWritten(text: String) throws {
        let rootPath = try RootPath.parse(text).get()
        #expect(rootPath.description == text)
        #expect(rootPath.optionText == Array(text.utf8))
    }

    @Test func nfsSplitsIntoServerPathAndOptions() throws {
        let nfs = try #require(try RootPath.parse("nfs:10.0.0.2:/srv/root:vers=3,nolock").get().nfs)
        #expect(nfs == RootPath.NFSLocation(scheme: .nfs, server: "10.0.0.2", path: "/srv/root", options: "vers=3,nolock"))
        #expect(try RootPath.parse("nfs4:h:/").get().nfs == RootPath.NFSLocation(scheme: .nfs4, server: "h", path: "/"))
        #expect(try RootPath.parse("/dev/nfs").get().nfs == nil)
    }

    @Test(arguments: [
        ("nfs:/srv/root", RootPath.Problem.malformedNFS(scheme: "nfs:")),
        ("nfs::/srv/root", .malformedNFS(scheme: "nfs:")),
        ("nfs4:10.0.0.2:srv", .malformedNFS(scheme: "nfs4:")),
        ("nfs:bad_host:/srv", .malformedNFS(scheme: "nfs:")),
        ("nfs:10.0.0.2:/a b", .malformedNFS(scheme: "nfs:")),
        ("nfs:10.0.0.2:/a\"b", .malformedNFS(scheme: "nfs:")),
        ("", .length),
        (String(repeating: "x", count: 256), .length),
        ("nfs:10.0.0.2:/" + String(repeating: "x", count: 250), .length),
    ])
    func refusals(text: String, problem: RootPath.Problem) {
        #expect(RootPath.parse(text) == .failure(problem))
    }

    @Test func lineBreakersAreRefusedWithTheirPlace() {
        guard case .failure(.lineBreak(let breaker)) = RootPath.parse("nfs:h:/x\nKERNEL y") else {
            Issue.record("a newline was accepted")
            return
        }
        #expect(breaker.description == "a newline (character 9)")
    }
}
