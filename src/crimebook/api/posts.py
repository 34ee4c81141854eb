"""/posts: a person's rank and position in a unit over a period."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from crimebook.api._bulk import add_bulk_route
from crimebook.api._common import (
    Input,
    Page,
    PageParams,
    Patch,
    UtcDatetime,
    caller,
    paginate,
    payload_dict,
    responses,
    to_data,
)
from crimebook.register.models import Post
from crimebook.register.selectors import post_get_for, posts_for
from crimebook.register.services import PostData, post_create, post_update

router = Router(tags=["posts"])


class PostIn(Input):
    person_id: int
    unit_id: int
    rank: str = ""
    position: str = ""
    start: date | None = None
    end: date | None = None
    is_commander: bool = False
    source_id: int | None = None


class PostOut(Schema):
    id: int
    person_id: int
    unit_id: int
    rank: str
    position: str
    start: date | None
    end: date | None
    is_commander: bool
    source_id: int | None
    created_at: UtcDatetime


class PostQuery(Schema):
    unit_id: int | None = None
    person_id: int | None = None


def data_of(post: Post) -> PostData:
    return PostData(
        person_id=post.person_id, unit_id=post.unit_id, rank=post.rank, position=post.position,
        start=post.start, end=post.end, is_commander=post.is_commander, source_id=post.source_id,
    )  # fmt: skip


@router.get("", response=responses(Page[PostOut]), summary="List posts")
def list_posts(
    request: HttpRequest, filters: Query[PostQuery], page: Query[PageParams]
) -> dict[str, Any]:
    return paginate(posts_for(caller(request), **filters.model_dump()), page)


@router.get("/{post_id}", response=responses(PostOut), summary="Read a post")
def get_post(request: HttpRequest, post_id: int) -> Post:
    return post_get_for(caller(request), post_id)


@router.post("", response=responses(PostOut, 201), summary="Record a post")
def create_post(request: HttpRequest, payload: PostIn) -> Status[Post]:
    return Status(
        201, post_create(actor=caller(request), data=to_data(PostData, payload_dict(payload)))
    )


@router.patch("/{post_id}", response=responses(PostOut), summary="Change a post")
def patch_post(request: HttpRequest, post_id: int, payload: Patch[PostIn]) -> Post:
    user = caller(request)
    post = post_get_for(user, post_id)
    return post_update(actor=user, post=post, data=to_data(PostData, payload, base=data_of(post)))


add_bulk_route(
    router, PostIn, PostOut,
    lambda user, item: post_create(actor=user, data=to_data(PostData, payload_dict(item))),
    "posts",
)  # fmt: skip
