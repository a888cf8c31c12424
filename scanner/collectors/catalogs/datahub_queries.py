"""The GraphQL documents the DataHub collector sends (validated against DataHub's schema in tests)."""

from __future__ import annotations

TAGS = "tags { tag { urn name } }"
TERMS = "terms { term { urn name } }"

DATASETS = f"""
query datasets($start: Int!, $count: Int!) {{
  searchAcrossEntities(input: {{types: [DATASET], query: "*", start: $start, count: $count}}) {{
    start count total
    searchResults {{
      entity {{
        __typename urn
        ... on Dataset {{
          name
          properties {{ name description }}
          editableProperties {{ description }}
          ownership {{ owners {{ owner {{ __typename ... on CorpUser {{ username }} ... on CorpGroup {{ name }} }} }} }}
          tags {{ {TAGS} }}
          glossaryTerms {{ {TERMS} }}
          domain {{ domain {{ urn properties {{ name }} }} }}
          access {{ roles {{ role {{ urn }} }} }}
          schemaMetadata(version: 0) {{
            fields {{ fieldPath nativeDataType description tags {{ {TAGS} }} glossaryTerms {{ {TERMS} }} }}
          }}
          editableSchemaMetadata {{
            editableSchemaFieldInfo {{ fieldPath description tags {{ {TAGS} }} glossaryTerms {{ {TERMS} }} }}
          }}
        }}
      }}
    }}
  }}
}}
"""

ENTITIES = """
query entities($types: [EntityType!], $start: Int!, $count: Int!) {
  searchAcrossEntities(input: {types: $types, query: "*", start: $start, count: $count}) {
    start count total
    searchResults {
      entity {
        __typename urn
        ... on GlossaryTerm { name properties { name } }
        ... on DataProduct { properties { name } domain { domain { urn properties { name } } } }
        ... on MLModel { name }
      }
    }
  }
}
"""

DOMAINS = """
query domains($start: Int!, $count: Int!) {
  listDomains(input: {start: $start, count: $count}) {
    start count total
    domains { urn properties { name } entities(input: {start: 0, count: 1}) { total } }
  }
}
"""

POLICIES = """
query policies($start: Int!, $count: Int!) {
  listPolicies(input: {start: $start, count: $count}) {
    start count total
    policies {
      urn name type state privileges
      resources { type allResources resources filter { criteria { field condition values { value } } } }
    }
  }
}
"""

UPSTREAMS = """
query upstreams($urn: String!, $count: Int!) {
  searchAcrossLineage(input: {urn: $urn, direction: UPSTREAM, types: [DATASET], start: 0, count: $count}) {
    start count total
    searchResults { degree entity { __typename urn ... on Dataset { name } } }
  }
}
"""

ALL = {"datasets": DATASETS, "entities": ENTITIES, "domains": DOMAINS, "policies": POLICIES, "upstreams": UPSTREAMS}
