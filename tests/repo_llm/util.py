"""Source shared by the LLM repo probe tests (the probes run through scanner.testing)."""

OPENAI_APP = """from openai import OpenAI

client = OpenAI()


def answer(question: str) -> str:
    response = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": question}]
    )
    return response.choices[0].message.content
"""
