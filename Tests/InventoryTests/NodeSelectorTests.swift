import Inventory
import Testing

/// NODES: names, @group, ranges with zero padding, lists inside brackets, commas; unknown names refused.
@Suite struct NodeSelectorTests {
    static let names = (1...12).map { "compute" + ($0 < 10 ? "0" : "") + "\($0)" } + ["login1", "node1", "node2",
                                                                                   "node3", "node7"]
    static let selector = NodeSelector(
        names: names,
        groupsOf: Dictionary(uniqueKeysWithValues: names.map { ($0, $0.hasPrefix("compute") ? ["compute"] : ["misc"]) }),
        declaredGroups: ["compute", "misc", "empty"])

    @Test func aRangeKeepsItsZeroPadding() throws {
        #expect(try Self.selector.select("compute[01-03]") == ["compute01", "compute02", "compute03"])
        #expect(try Self.selector.select("compute[09-11]") == ["compute09", "compute10", "compute11"])
    }

    @Test func aListInsideBracketsAndCommasBetweenTerms() throws {
        #expect(try Self.selector.select("node[1-3,7]") == ["node1", "node2", "node3", "node7"])
        #expect(try Self.selector.select("login1,compute[02-03], node1") == ["login1", "compute02", "compute03", "node1"])
    }

    @Test func aGroupSelectsItsMembersInFileOrder() throws {
        #expect(try Self.selector.select("@misc") == ["login1", "node1", "node2", "node3", "node7"])
        #expect(try Self.selector.select("@empty") == [])
    }

    @Test func eachNodeOnceInTheOrderNamed() throws {
        #expect(try Self.selector.select("node2,@misc,node2") == ["node2", "login1", "node1", "node3", "node7"])
    }

    @Test func anUnknownNameIsNamedWithASuggestion() {
        #expect(throws: NodeSelectionError("no node 'compute1' (did you mean 'compute01'?)")) {
            try Self.selector.select("login1,compute1")
        }
        #expect(throws: NodeSelectionError("no nodes 'compute13', 'compute14' (did you mean 'compute03'?)")) {
            try Self.selector.select("compute[11-14]")
        }
        #expect(throws: NodeSelectionError("no group 'comptue' (did you mean 'compute'?)")) {
            try Self.selector.select("@comptue")
        }
    }

    @Test(arguments: [
        ("compute[03-01]", "'compute[03-01]': range 03-01 ends before it starts"),
        ("compute[01-", "'compute[01-' has a '[' without its ']'"),
        ("compute]", "'compute]' has a ']' without its '['"),
        ("compute[a-b]", "'compute[a-b]': 'a-b' is not a number or a range like 01-64"),
        ("a,,b", "'a,,b' has an empty name (two commas in a row, or one at an end)"),
        ("n[0-999999]", "'n[0-999999]' names more than 100000 nodes"),
    ])
    func malformedExpressionsSayWhy(expression: String, message: String) {
        #expect(throws: NodeSelectionError(message)) { try Self.selector.select(expression) }
    }

    @Test func anInventorySelectsItsProfiles() throws {
        let inventory = try #require(load(baseInventory + """
              compute1: {mac: "52:54:00:00:00:01", ip: 192.168.1.11, groups: [compute]}
              compute2: {mac: "52:54:00:00:00:02", ip: 192.168.1.12}

            """, existingFiles: baseFiles).inventory)
        #expect(try inventory.profiles(selectedBy: "@compute").map(\.name) == ["compute1"])
        #expect(try inventory.profiles(selectedBy: "compute[1-2]").map(\.name) == ["compute1", "compute2"])
    }
}
