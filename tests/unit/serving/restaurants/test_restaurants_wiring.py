"""The restaurants service's objects are built once by create_app and reached through
dependencies, so a test (or a deployment) swaps one with app.dependency_overrides."""

import uuid

from fastapi.testclient import TestClient

from serving.app import create_app
from serving.kernel.auth import Role, issue_access_token
from serving.restaurants.domain.search import ItemHit, ItemQuery, RestaurantHit, RestaurantQuery, Suggestion
from serving.restaurants.entrypoints import deps
from serving.settings import ServingSettings

# Nothing listens there: a request that reached PostgreSQL would fail.
SETTINGS = ServingSettings.of(database_url="postgresql+psycopg://nobody:nothing@127.0.0.1:9/none")


class PrefixSearch:
    """Another ``RestaurantSearch`` (where an Elasticsearch adapter would plug in)."""

    def search_restaurants(self, query: RestaurantQuery) -> list[RestaurantHit]:
        return []

    def search_items(self, query: ItemQuery) -> list[ItemHit]:
        return []

    def suggest(self, prefix: str, limit: int) -> list[Suggestion]:
        return [Suggestion(text=f"{prefix} house", kind="restaurant")][:limit]


def test_the_search_adapter_is_swapped_with_a_dependency_override_and_postgresql_is_never_asked() -> None:
    app = create_app(SETTINGS)
    app.dependency_overrides[deps.restaurant_search] = PrefixSearch
    token = issue_access_token(f"cust-{uuid.uuid4().hex[:8]}", Role.CUSTOMER, SETTINGS)
    with TestClient(app) as client:
        response = client.get(
            "/api/v1/search/suggest", params={"q": "dosa"}, headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 200, response.text
    assert response.json() == [{"text": "dosa house", "kind": "restaurant"}]

