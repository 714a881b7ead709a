"""Words for the demo data: the hand-written demo courses, and the pools the scale seed draws from.

Kept apart from the steps so the steps read as logic, not prose.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from courses.models import Difficulty, LessonType

# --- The hand-written demo world -------------------------------------------------------------------

PYTHON_COURSE_SLUG = "python-from-zero"
DRAFT_COURSE_SLUG = "web-apis-with-django"

PYTHON_COURSE: dict[str, Any] = {
    "title": "Python from Zero",
    "slug": PYTHON_COURSE_SLUG,
    "description": "From your first variable to small programs of your own, one short lesson at a time.",
    "category": "programming",
    "difficulty_level": Difficulty.BEGINNER,
    "thumbnail_url": "https://cdn.example.com/courses/python-from-zero.png",
    "estimated_duration_minutes": 120,
    "metadata": {"language": "en", "demo": True},
}

PYTHON_LESSONS: tuple[dict[str, Any], ...] = (
    {
        "title": "Welcome and setup",
        "lesson_type": LessonType.VIDEO,
        "description": "What the course covers, and installing Python 3.",
        "video_url": "https://cdn.example.com/videos/python-from-zero/01-welcome.mp4",
        "duration_minutes": 8,
        "is_preview": True,
        "content": (
            "# Welcome\n\n"
            "In this course you write real Python from the first lesson.\n\n"
            "## Before the next lesson\n\n"
            "1. Install Python 3.11 or newer from [python.org](https://www.python.org/downloads/).\n"
            "2. Open a terminal and run `python3 --version`.\n"
            "3. Start the interactive interpreter with `python3` and type `1 + 1`.\n"
        ),
    },
    {
        "title": "Variables and types",
        "lesson_type": LessonType.TEXT,
        "description": "Names, values, and the types you meet first.",
        "duration_minutes": 15,
        "content": (
            "# Variables and types\n\n"
            "A **variable** is a name bound to a value:\n\n"
            "```python\n"
            'greeting = "Hello"\n'
            "year = 2026\n"
            "price = 9.99\n"
            "is_open = True\n"
            "```\n\n"
            "Python works out the type from the value. Ask it with `type(year)`.\n\n"
            '| Type | Example |\n|---|---|\n| `str` | `"Hello"` |\n| `int` | `2026` |\n'
            "| `float` | `9.99` |\n| `bool` | `True` |\n\n"
            "> Names are case-sensitive: `year` and `Year` are two different variables.\n"
        ),
    },
    {
        "title": "Making decisions",
        "lesson_type": LessonType.TEXT,
        "description": "if, elif, else and comparisons.",
        "duration_minutes": 20,
        "content": (
            "# Making decisions\n\n"
            "`if` runs a block only when its condition is true:\n\n"
            "```python\n"
            "temperature = 31\n"
            "if temperature > 30:\n"
            '    print("Hot")\n'
            "elif temperature > 15:\n"
            '    print("Mild")\n'
            "else:\n"
            '    print("Cold")\n'
            "```\n\n"
            "- Indentation (four spaces) marks the block.\n"
            "- Comparisons: `==`, `!=`, `<`, `<=`, `>`, `>=`.\n"
            "- Combine conditions with `and`, `or`, `not`.\n"
        ),
    },
    {
        "title": "Functions",
        "lesson_type": LessonType.VIDEO,
        "description": "Packaging code you want to run again.",
        "video_url": "https://cdn.example.com/videos/python-from-zero/04-functions.mp4",
        "duration_minutes": 18,
        "content": (
            "# Functions\n\n"
            "Watch the video, then try this in the interpreter:\n\n"
            "```python\n"
            "def area(width, height=1):\n"
            "    return width * height\n\n"
            "area(3, 4)   # 12\n"
            "area(5)      # 5\n"
            "```\n\n"
            "A function without `return` gives back `None`.\n"
        ),
    },
    {
        "title": "Lists and dictionaries",
        "lesson_type": LessonType.TEXT,
        "description": "Keeping many values together.",
        "duration_minutes": 25,
        "content": (
            "# Lists and dictionaries\n\n"
            "A **list** keeps values in order; a **dict** maps keys to values.\n\n"
            "```python\n"
            "scores = [72, 88, 95]\n"
            "scores.append(60)\n"
            'ages = {"ada": 36, "alan": 41}\n'
            "for name, age in ages.items():\n"
            '    print(f"{name} is {age}")\n'
            "```\n\n"
            "Lists are indexed from 0: `scores[0]` is `72`, `scores[-1]` is the last one.\n"
        ),
    },
    {
        "title": "Exercise: a number-guessing game",
        "lesson_type": LessonType.ASSIGNMENT,
        "description": "Put the first five lessons together.",
        "duration_minutes": 30,
        "content": (
            "# Exercise: a number-guessing game\n\n"
            "Write `guess.py`:\n\n"
            "1. Pick a secret number with `random.randint(1, 100)`.\n"
            "2. Ask for guesses with `input()` until the player finds it.\n"
            "3. After each guess, print *too low* or *too high*.\n"
            "4. At the end, print how many guesses it took.\n\n"
            "**Bonus:** refuse input that is not a number, without crashing.\n"
        ),
    },
)

DRAFT_COURSE: dict[str, Any] = {
    "title": "Web APIs with Django",
    "slug": DRAFT_COURSE_SLUG,
    "description": "Build and test a JSON API with Django REST Framework. (Work in progress.)",
    "category": "web",
    "difficulty_level": Difficulty.INTERMEDIATE,
    "estimated_duration_minutes": 240,
    "metadata": {"language": "en", "demo": True},
}

DRAFT_LESSONS: tuple[dict[str, Any], ...] = (
    {
        "title": "Project layout",
        "lesson_type": LessonType.TEXT,
        "duration_minutes": 15,
        "content": "# Project layout\n\nOne app per domain: `models`, `services`, `selectors`, `views`.\n",
    },
    {
        "title": "Your first endpoint",
        "lesson_type": LessonType.TEXT,
        "duration_minutes": 20,
        "content": "# Your first endpoint\n\nAn `APIView` with a `get` method, routed in `urls.py`.\n",
    },
)

# The demo student's progress in "Python from Zero", lesson by lesson: two done, one under way.
DEMO_PROGRESS: tuple[dict[str, Any], ...] = (
    {"status": "completed", "time_spent_seconds": 540, "last_position_seconds": 480},
    {"status": "completed", "time_spent_seconds": 960},
    {"completion_percentage": Decimal("40.00"), "time_spent_seconds": 420},
)

# The demo quiz: graded, on lesson 2 ("Variables and types"), one question of each type (8 points).
DEMO_QUIZ_LESSON_ORDER = 2
DEMO_QUIZ: dict[str, Any] = {
    "title": "Check: variables and types",
    "description": "Five questions on lessons 1 and 2. You need 70% to pass; the essay is graded by hand.",
    "quiz_type": "graded",
    "time_limit_minutes": 15,
    "passing_score": Decimal("70.00"),
    "max_attempts": 3,
    "shuffle_questions": True,
    "shuffle_options": True,
    "show_correct_answers": True,
}
DEMO_QUIZ_QUESTIONS: tuple[dict[str, Any], ...] = (
    {
        "question_type": "multiple_choice",
        "question_text": "What does `type(9.99)` return?",
        "points": Decimal("1.00"),
        "explanation": "A number with a decimal point is a `float`.",
        "options": [
            {"option_id": "a", "option_text": "<class 'int'>", "is_correct": False},
            {"option_id": "b", "option_text": "<class 'float'>", "is_correct": True},
            {"option_id": "c", "option_text": "<class 'str'>", "is_correct": False},
            {"option_id": "d", "option_text": "<class 'decimal'>", "is_correct": False},
        ],
    },
    {
        "question_type": "multiple_select",
        "question_text": "Which of these are valid Python variable names? Choose every one that is.",
        "points": Decimal("2.00"),
        "explanation": "A name starts with a letter or `_` and holds letters, digits and `_` only.",
        "options": [
            {"option_id": "a", "option_text": "year_2026", "is_correct": True},
            {"option_id": "b", "option_text": "2026_year", "is_correct": False},
            {"option_id": "c", "option_text": "_total", "is_correct": True},
            {"option_id": "d", "option_text": "is-open", "is_correct": False},
        ],
    },
    {
        "question_type": "true_false",
        "question_text": "`year` and `Year` name the same variable.",
        "points": Decimal("1.00"),
        "explanation": "Names are case-sensitive: they are two different variables.",
        "correct_answer": "false",
    },
    {
        "question_type": "short_answer",
        "question_text": "Which built-in function tells you the type of a value? (Its name only.)",
        "points": Decimal("1.00"),
        "explanation": "`type(value)`, as in lesson 2.",
        "correct_answer": "type",
        "accepted_answers": ["type()"],
    },
    {
        "question_type": "essay",
        "question_text": (
            "In two or three sentences: you never declare a type in Python. How does it know that "
            '`price = 9.99` is a float, and what happens if you later write `price = "free"`?'
        ),
        "points": Decimal("3.00"),
        "explanation": "The value has the type, not the name: rebinding the name to a str is allowed.",
    },
)
# The demo student's attempt, answer by answer (same order as the questions): the multiple_select
# picks one wrong option (half the points), the essay gets 2 of 3 by hand: 6 / 8 = 75%, passed.
DEMO_ATTEMPT_ANSWERS: tuple[dict[str, Any], ...] = (
    {"selected_option_id": "b"},
    {"selected_option_ids": ["a", "c", "d"]},
    {"answer_text": "False"},
    {"answer_text": " Type "},
    {
        "answer_text": (
            "Python looks at the value: 9.99 has a decimal point, so it is a float. Writing "
            'price = "free" later just makes the name point to a string instead.'
        )
    },
)
DEMO_ESSAY_GRADE: dict[str, Any] = {
    "points_earned": Decimal("2.00"),
    "feedback": "Right: the value carries the type. Add that this is called dynamic typing.",
}

# The second demo student finished every lesson (seconds spent on each), then rated the course.
DEMO_LEARNER_SECONDS = (600, 1020, 1380, 1200, 1620, 2400)
DEMO_LEARNER_REVIEW = {
    "rating": 5,
    "review": "Short lessons, real code from day one. The guessing game was fun.",
}

# --- Scale quizzes ---------------------------------------------------------------------------------

# The final quiz of every scale course: 10 auto-graded questions (14 points), "{}" is the topic.
# Every quiz has the same answer key, so the seed grades each possible answer once.
SCALE_QUIZ_QUESTIONS: tuple[dict[str, Any], ...] = (
    {
        "question_type": "multiple_choice",
        "question_text": "Where do the edge cases of a {} program usually live?",
        "points": Decimal("1.00"),
        "options": [
            {
                "option_id": "a",
                "option_text": "At the boundaries: empty, one, many, too many",
                "is_correct": True,
            },
            {"option_id": "b", "option_text": "Only in very large inputs", "is_correct": False},
            {"option_id": "c", "option_text": "Nowhere, once it runs", "is_correct": False},
            {"option_id": "d", "option_text": "In the comments", "is_correct": False},
        ],
    },
    {
        "question_type": "multiple_choice",
        "question_text": "What comes first when {} code is too slow?",
        "points": Decimal("1.00"),
        "options": [
            {"option_id": "a", "option_text": "Rewrite it from scratch", "is_correct": False},
            {"option_id": "b", "option_text": "Measure where the time goes", "is_correct": True},
            {"option_id": "c", "option_text": "Add a cache everywhere", "is_correct": False},
            {"option_id": "d", "option_text": "Delete the tests", "is_correct": False},
        ],
    },
    {
        "question_type": "multiple_choice",
        "question_text": "Which source is the most reliable on {}?",
        "points": Decimal("1.00"),
        "options": [
            {"option_id": "a", "option_text": "An old blog post", "is_correct": False},
            {"option_id": "b", "option_text": "A forum answer without sources", "is_correct": False},
            {"option_id": "c", "option_text": "The official documentation", "is_correct": True},
            {"option_id": "d", "option_text": "Memory", "is_correct": False},
        ],
    },
    {
        "question_type": "multiple_choice",
        "question_text": "How do you start a new {} project?",
        "points": Decimal("1.00"),
        "options": [
            {"option_id": "a", "option_text": "With the smallest version that works", "is_correct": True},
            {"option_id": "b", "option_text": "With every feature at once", "is_correct": False},
            {"option_id": "c", "option_text": "With the performance tuning", "is_correct": False},
            {"option_id": "d", "option_text": "With the logo", "is_correct": False},
        ],
    },
    {
        "question_type": "multiple_select",
        "question_text": "Which habits make {} work easier to check? Choose all that apply.",
        "points": Decimal("2.00"),
        "options": [
            {"option_id": "a", "option_text": "Small, frequent commits", "is_correct": True},
            {"option_id": "b", "option_text": "Explicit inputs and outputs", "is_correct": True},
            {"option_id": "c", "option_text": "One big change at the end", "is_correct": False},
            {"option_id": "d", "option_text": "Automated tests", "is_correct": True},
        ],
    },
    {
        "question_type": "multiple_select",
        "question_text": "What belongs on the checklist of a {} project? Choose all that apply.",
        "points": Decimal("2.00"),
        "options": [
            {"option_id": "a", "option_text": "A way to check the result", "is_correct": True},
            {"option_id": "b", "option_text": "Guesses about what is slow", "is_correct": False},
            {"option_id": "c", "option_text": "The known trade-offs", "is_correct": True},
            {"option_id": "d", "option_text": "Code nobody understands", "is_correct": False},
        ],
    },
    {
        "question_type": "true_false",
        "question_text": "In {}, a good name can make a comment unnecessary.",
        "points": Decimal("1.00"),
        "correct_answer": "true",
    },
    {
        "question_type": "true_false",
        "question_text": "In {}, the slow part is almost always where you expect it.",
        "points": Decimal("1.00"),
        "correct_answer": "false",
    },
    {
        "question_type": "short_answer",
        "question_text": "Fill in the word ({}): measure before you ___.",
        "points": Decimal("1.00"),
        "correct_answer": "optimise",
        "accepted_answers": ["optimize"],
    },
    {
        "question_type": "short_answer",
        "question_text": "Fill in the word ({}): read an error message from the ___ up.",
        "points": Decimal("1.00"),
        "correct_answer": "bottom",
    },
)
SCALE_WRONG_TEXT = ("refactor", "top", "guess", "")

# --- Pools for the scale seed ----------------------------------------------------------------------

FIRST_NAMES = (
    "Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger",
    "Radia", "Tim", "Katherine", "Guido", "Hedy", "Donald", "Sophie", "John", "Joan", "Bjarne",
    "Karen", "Niklaus", "Mary", "Yukihiro", "Anita", "Leslie", "Shafi", "Brian", "Lynn", "Rasmus",
)  # fmt: skip
LAST_NAMES = (
    "Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Ritchie", "Liskov", "Thompson", "Allen",
    "Dijkstra", "Perlman", "Berners-Lee", "Johnson", "van Rossum", "Lamarr", "Knuth", "Wilson",
    "McCarthy", "Clarke", "Stroustrup", "Jones", "Wirth", "Keller", "Matsumoto", "Borg", "Lamport",
    "Goldwasser", "Kernighan", "Conway", "Lerdorf",
)  # fmt: skip

TOPICS = (
    ("Python", "programming"), ("SQL", "data"), ("PostgreSQL", "data"), ("Docker", "devops"),
    ("Kubernetes", "devops"), ("Git", "tools"), ("Linux", "tools"), ("JavaScript", "web"),
    ("TypeScript", "web"), ("React", "web"), ("Django", "web"), ("FastAPI", "web"),
    ("Data Analysis", "data"), ("Machine Learning", "data"), ("Statistics", "data"), ("Rust", "programming"),
    ("Go", "programming"), ("Networking", "devops"), ("Security", "security"), ("Cryptography", "security"),
    ("Testing", "tools"), ("Algorithms", "programming"), ("System Design", "programming"),
    ("Cloud Basics", "devops"), ("Excel", "business"), ("Project Management", "business"),
)  # fmt: skip
COURSE_TITLES = (
    "{} for Beginners", "Practical {}", "{} in Depth", "{}: the Essentials", "Hands-on {}",
    "Mastering {}", "{} Fundamentals", "Modern {}",
)  # fmt: skip
LESSON_TITLES = (
    "Introduction", "Core concepts", "First steps", "A worked example", "Common mistakes",
    "Under the hood", "Best practices", "Putting it together", "Debugging", "Performance",
    "Testing your work", "A real project", "Going further", "Review", "Tools of the trade",
    "Patterns", "Edge cases", "Case study", "Q&A", "Wrap-up",
)  # fmt: skip

SENTENCES = (
    "Start with the smallest version that works, then grow it one step at a time.",
    "Every concept in this lesson comes back in the project at the end of the course.",
    "Read the error message from the bottom up: the last line usually names the real problem.",
    "Naming things well is half of the work; a good name makes a comment unnecessary.",
    "Try each example yourself before reading the explanation below it.",
    "When two approaches look equal, prefer the one that is easier to test.",
    "Measure before you optimise: the slow part is rarely where you expect it.",
    "Small, frequent commits make it cheap to undo a wrong turn.",
    "Write down what you expect to happen, then check whether it did.",
    "The documentation is the source of truth; blog posts age quickly.",
    "Keep inputs and outputs explicit so every piece can be checked on its own.",
    "Edge cases live at the boundaries: empty, one, many, and too many.",
    "Automate the boring checks so your attention goes to the interesting ones.",
    "If a step feels magical, slow down and trace what actually happens.",
)
_BULLETS = (
    "what problem this solves", "the vocabulary you need", "a minimal working example",
    "how to check your result", "the trade-offs to keep in mind", "where it breaks down",
    "how professionals use it", "a checklist for your own projects",
)  # fmt: skip
_SNIPPETS = (
    "items = load()\nfor item in items:\n    check(item)\nsave(items)",
    "SELECT title, COUNT(*)\nFROM lessons\nGROUP BY title\nORDER BY 2 DESC;",
    "$ git switch -c feature\n$ git commit -am 'Small step'\n$ git push -u origin feature",
    "def total(prices):\n    return sum(p for p in prices if p > 0)",
)  # fmt: skip
REVIEWS = (
    "Clear explanations and good exercises, thank you!",
    "Great pace for a beginner; the project at the end tied it all together.",
    "Solid content, though some videos could be shorter.",
    "Exactly what I needed for work. Recommended.",
    "Good overview, but I wanted more depth in the later lessons.",
    "The examples were practical and easy to follow.",
    "Some parts felt rushed; the rest was very good.",
)
VIDEO_HOST = "https://cdn.example.com/videos"


def lesson_markdown(rng: random.Random, title: str, target: int = 1000) -> str:
    """About `target` characters of lesson markdown: a heading, prose, a list and a code block."""
    parts = [f"# {title}\n", " ".join(rng.sample(SENTENCES, 3)) + "\n", "## In this lesson\n"]
    parts.append("\n".join(f"- {bullet}" for bullet in rng.sample(_BULLETS, 4)) + "\n")
    parts.append(f"```\n{rng.choice(_SNIPPETS)}\n```\n")
    text = "\n".join(parts)
    while len(text) < target:
        text += "\n" + rng.choice(SENTENCES)
    return text + "\n"
