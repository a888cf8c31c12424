"""The GraphQL queries the scanner sends (validated against the GitHub schema in the tests)."""

REPO_FACTS = """
query RepoFacts($owner: String!, $name: String!) {
  rateLimit { cost remaining resetAt }
  repository(owner: $owner, name: $name) {
    nameWithOwner
    url
    defaultBranchRef {
      name
      branchProtectionRule {
        requiresApprovingReviews
        requiredApprovingReviewCount
        requiresCodeOwnerReviews
        requiresStatusChecks
        requiredStatusCheckContexts
        isAdminEnforced
      }
    }
    rulesets(first: 20) {
      nodes {
        name
        enforcement
        target
        rules(first: 30) {
          nodes {
            type
            parameters {
              ... on PullRequestParameters { requiredApprovingReviewCount requireCodeOwnerReview }
              ... on RequiredStatusChecksParameters { requiredStatusChecks { context } }
            }
          }
        }
      }
    }
    environments(first: 20) {
      nodes {
        name
        protectionRules(first: 10) {
          nodes {
            type
            timeout
            reviewers(first: 10) { nodes { __typename ... on User { login } ... on Team { slug } } }
          }
        }
      }
    }
    deployments(last: 50) {
      nodes {
        environment
        createdAt
        creator { __typename login }
        latestStatus { state createdAt }
      }
    }
    releases(first: 50, orderBy: {field: CREATED_AT, direction: DESC}) {
      totalCount
      nodes { tagName createdAt isDraft url author { login } }
    }
    pullRequests(last: 50, states: MERGED) {
      nodes {
        number
        url
        mergedAt
        author { __typename login }
        reviews(first: 10) { nodes { state author { login } } }
      }
    }
    codeowners { errors { line kind message path } }
  }
}
"""

ORG_TEAMS = """
query OrgTeams($org: String!) {
  rateLimit { cost remaining resetAt }
  organization(login: $org) {
    login
    teams(first: 100) {
      nodes {
        slug
        name
        description
        members(first: 100) { nodes { login name } }
      }
    }
  }
}
"""

HEADS_BATCH = 100  # repos per RepoHeads query: 100 nodes, 1 point, well inside GitHub's node and cost limits


def repo_heads(count: int) -> str:
    """One query for the default-branch heads of `count` repos, aliased r0..rN-1, with variables oI/nI
    (owner, name) so that no name is ever spliced into the query text."""
    params = ", ".join(f"$o{i}: String!, $n{i}: String!" for i in range(count))
    head = "nameWithOwner defaultBranchRef { target { __typename oid } }"
    fields = "\n".join(f"  r{i}: repository(owner: $o{i}, name: $n{i}) {{ {head} }}" for i in range(count))
    return f"query RepoHeads({params}) {{\n  rateLimit {{ cost remaining resetAt }}\n{fields}\n}}\n"
