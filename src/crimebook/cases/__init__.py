"""Case files: a legal purpose, its members, the incidents, suspects, exhibits and
testimonies it rests on, acts classified against legal definitions shipped as data, the
element-by-element matrix of what supports what, and dossiers for a prosecutor."""
