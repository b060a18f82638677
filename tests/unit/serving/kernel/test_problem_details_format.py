from serving.kernel.http.problems import errors_from_validation, field_path


def test_a_body_location_becomes_a_dotted_field_path_with_list_indices() -> None:
    assert field_path(("body", "lines", 0, "quantity")) == "lines[0].quantity"
    assert field_path(("body", "currency")) == "currency"
    assert field_path(("path", "order_id")) == "order_id"


def test_a_problem_with_the_whole_body_names_the_body() -> None:
    assert field_path(("body",)) == "body"
    assert field_path(()) == "body"


def test_a_json_syntax_error_names_the_body_and_says_it_is_malformed() -> None:
    errors = errors_from_validation(
        [
            {
                "type": "json_invalid",
                "loc": ("body", 7),
                "msg": "JSON decode error",
                "ctx": {"error": "Expecting value"},
            }
        ]
    )
    assert [(e.field, e.message) for e in errors] == [("body", "Malformed JSON: Expecting value")]


def test_each_pydantic_error_keeps_its_message() -> None:
    errors = errors_from_validation(
        [
            {
                "type": "greater_than_equal",
                "loc": ("body", "lines", 1, "quantity"),
                "msg": "Input should be >= 1",
            }
        ]
    )
    assert [(e.field, e.message) for e in errors] == [("lines[1].quantity", "Input should be >= 1")]
